//! The three connections that live through the cut, each on a thread of its
//! own, each sending what it sees to the narrator: the heartbeat, a plain
//! read with no timeout, and a read with a 200 ms timeout.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use reset_by_peer::except::narrate_for_socket;
use reset_by_peer::failure::Failure;
use reset_by_peer::heartbeat::{Config, Event, Report, Verdict, watch};
use reset_by_peer::line::{self, PING};
use reset_by_peer::timeout::{Deadline, again_if_interrupted};

use crate::narrator::{Note, note};
use crate::output::{error_fields, verdict_of};

/// The name of each watcher, in the narration and in its [`Note::Done`].
pub const HEARTBEAT: &str = "heartbeat";
pub const BLOCKED: &str = "blocked read";
pub const TIMED: &str = "200 ms read";

/// The read timeout of the client that keeps its socket "usable".
const READ_TIMEOUT: Duration = Duration::from_millis(200);
/// How many 200 ms reads it makes before it stops waiting.
const TIMED_READS: u32 = 10;

/// Watches the connection with the crate's heartbeat until its verdict, or
/// until `stop` says so; says when the first PONG comes, the moment to cut.
pub fn heartbeat(mut stream: TcpStream, config: Config, stop: Receiver<()>, notes: Sender<Note>) {
    let mut first = true;
    let report = watch(&mut stream, &config, &stop, |event| {
        let (human, fields) = describe_event(event);
        note(&notes, HEARTBEAT, human, fields);
        if first && matches!(event, Event::Pong { .. }) {
            first = false;
            let _ = notes.send(Note::FirstPong);
        }
    });
    let (human, fields) = match report {
        Ok(report) => describe_report(&report, &config),
        Err(error) => (
            format!("the watch failed: {error}"),
            format!("heartbeat verdict=Error {}", error_fields(&error)),
        ),
    };
    note(&notes, HEARTBEAT, human, fields);
    let _ = notes.send(Note::Done(HEARTBEAT, Instant::now()));
}

fn describe_event(event: &Event) -> (String, String) {
    match event {
        Event::Ping { number, .. } => (format!("PING {number}"), format!("ping number={number}")),
        Event::Pong { number, .. } => (format!("PONG {number}"), format!("pong number={number}")),
        Event::Missed {
            number, in_a_row, ..
        } => (
            format!("no answer to PING {number} (miss {in_a_row} in a row)"),
            format!("miss number={number} in_a_row={in_a_row}"),
        ),
    }
}

fn describe_report(report: &Report, config: &Config) -> (String, String) {
    let silent_for = report
        .elapsed
        .saturating_sub(report.last_pong.unwrap_or_default());
    let bound = config.detection_bound();
    // The bound holds for a process that runs: a stopped one (Ctrl-Z, or a
    // machine too loaded to schedule it) sends no PING and reads nothing.
    let within = if silent_for <= bound {
        "within the bound"
    } else {
        "past the bound, which holds while this process runs: it was held up"
    };
    let human = format!(
        "verdict: {}\n{} ms after the last answer, {within} ({} ms)",
        report.verdict.reason(),
        silent_for.as_millis(),
        bound.as_millis()
    );
    let verdict = match report.verdict {
        Verdict::Alive => "Alive",
        Verdict::DeadBySilence => "DeadBySilence",
        Verdict::DeadByReset => "DeadByReset",
        Verdict::DeadByClose => "DeadByClose",
    };
    let fields = format!(
        "heartbeat verdict={verdict} silent_for_us={} bound_us={}",
        silent_for.as_micros(),
        bound.as_micros()
    );
    (human, fields)
}

/// A plain read with no timeout: only the kernel can end it.
pub fn blocked(mut stream: TcpStream, notes: Sender<Note>) {
    let sent = Instant::now();
    match stream.write_all(&line::with_newline(PING)) {
        Err(error) => note(
            &notes,
            BLOCKED,
            format!("send failed: {error}"),
            error_fields(&error),
        ),
        Ok(()) => {
            note(
                &notes,
                BLOCKED,
                "sent PING; reading with no timeout".to_string(),
                "blocked_sent".to_string(),
            );
            let result = stream.read(&mut [0u8; 64]);
            let (human, fields) = describe_blocked_read(result, &stream, sent.elapsed());
            note(&notes, BLOCKED, human, fields);
        }
    }
    let _ = notes.send(Note::Done(BLOCKED, Instant::now()));
}

fn describe_blocked_read(
    result: io::Result<usize>,
    stream: &TcpStream,
    waited: Duration,
) -> (String, String) {
    match result {
        Err(error) => (
            format!(
                "{}\n{}, after {} ms of retransmissions",
                narrate_for_socket(&error, stream),
                verdict_of(&error),
                waited.as_millis()
            ),
            format!(
                "blocked {} waited_us={}",
                error_fields(&error),
                waited.as_micros()
            ),
        ),
        Ok(n) => (
            format!("read {n} bytes: the link was not cut"),
            format!("blocked ok={n}"),
        ),
    }
}

/// Reads with a 200 ms timeout, again and again, as a polling loop would.
pub fn timed(mut stream: TcpStream, notes: Sender<Note>) {
    let sent = Instant::now();
    let result = stream
        .set_read_timeout(Some(READ_TIMEOUT))
        .and_then(|()| stream.write_all(&line::with_newline(PING)));
    match result {
        Err(error) => note(
            &notes,
            TIMED,
            format!("send failed: {error}"),
            error_fields(&error),
        ),
        Ok(()) => {
            note(
                &notes,
                TIMED,
                "sent PING; reading with a 200 ms timeout".to_string(),
                "timed_sent".to_string(),
            );
            timed_reads(&mut stream, &notes, sent);
        }
    }
    let _ = notes.send(Note::Done(TIMED, Instant::now()));
}

/// Reads again after each timeout, up to [`TIMED_READS`] times; anything
/// else ends the reads. A read that a stop and continue (Ctrl-Z, then `fg`)
/// cut short with `Interrupted` is made again with what is left of its
/// READ_TIMEOUT, unnarrated: it says nothing about the path.
fn timed_reads(stream: &mut TcpStream, notes: &Sender<Note>, sent: Instant) {
    for attempt in 1..=TIMED_READS {
        let result = again_if_interrupted(Deadline::after(READ_TIMEOUT), |left| {
            stream.set_read_timeout(Some(left))?;
            stream.read(&mut [0u8; 64])
        });
        let waited = sent.elapsed();
        match result {
            Err(error) => {
                let again = Failure::of_timed(&error) == Failure::TimedOut && attempt < TIMED_READS;
                let (human, fields) = describe_timed_error(&error, stream, attempt, again, waited);
                note(notes, TIMED, human, fields);
                if !again {
                    return;
                }
            }
            Ok(n) => {
                note(
                    notes,
                    TIMED,
                    format!("read {n} bytes: the link was not cut"),
                    format!("timed ok={n}"),
                );
                return;
            }
        }
    }
}

fn describe_timed_error(
    error: &io::Error,
    stream: &TcpStream,
    attempt: u32,
    again: bool,
    waited: Duration,
) -> (String, String) {
    let human = format!(
        "{}\n{}{}",
        narrate_for_socket(error, stream),
        verdict_of(error),
        if again { "; reading again" } else { "" }
    );
    let fields = format!(
        "timed attempt={attempt} {} usable={} waited_us={}",
        error_fields(error),
        Failure::of_timed(error).connection_usable(),
        waited.as_micros()
    );
    (human, fields)
}
