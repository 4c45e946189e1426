//! The `explain` lesson: a message from any stack, looked up in the table,
//! and the command that prints what it means. That real clients print what
//! the table says is `tests/clients.rs`'s.

use std::io::Write;
use std::process::Stdio;

use assert_matches::assert_matches;
use reset_by_peer::explain::{Event, Explanation, MESSAGES, explain};

use crate::support::{BOUND, example, finish, run_example};

#[test]
fn curls_empty_reply_is_a_close_before_the_answer_with_the_close_script() {
    let ran = run_example("explain", &["curl: (52) Empty reply from server"], BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("closed-before-answer"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("cargo run --example peer -- close`"),
        "{}",
        ran.stdout
    );
}

#[test]
fn the_json_has_the_event_the_stack_the_script_and_the_retry_rule() {
    let ran = run_example("explain", &["--json", "Error: read ECONNRESET"], BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout.lines().count(), 1, "{}", ran.stdout);
    for field in [
        "\"event\":\"reset\"",
        "\"stack\":\"",
        "\"script\":\"",
        "\"retry_safe\":\"",
    ] {
        assert!(ran.stdout.contains(field), "{field} in {}", ran.stdout);
    }
}

#[test]
fn an_unknown_text_is_unknown_with_its_nearest_entries_never_a_guess() {
    let ran = run_example(
        "explain",
        &["--json", "curl: (52) Empty answer from a server"],
        BOUND,
    );
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.starts_with("{\"event\":\"unknown\""),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("\"nearest\":[{"), "{}", ran.stdout);
    assert_matches!(
        explain("curl: (52) Empty answer from a server"),
        Explanation::Unknown { nearest } if nearest[0].text == "Empty reply from server"
    );
}

#[test]
fn a_text_on_standard_input_is_explained_and_binary_or_huge_input_is_no_failure() {
    let reset = b"Traceback (most recent call last):\n  ...\nConnectionResetError: [Errno 104] Connection reset by peer\n".to_vec();
    let mut noise = vec![0xffu8, 0x00, 0xc3];
    noise.extend(std::iter::repeat_n(b'a', 1 << 20));
    for (input, event) in [(reset, Some("reset")), (noise, None), (Vec::new(), None)] {
        let mut child = std::process::Command::new(example("explain"))
            .args(["--json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // The example reads 64 KiB at most and then stops reading: the rest
        // of a megabyte may meet a closed pipe, which is no failure here.
        let _ = stdin.write_all(&input);
        drop(stdin);
        let ran = finish(child, BOUND);
        assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
        let expected = format!("{{\"event\":\"{}\"", event.unwrap_or("unknown"));
        assert!(ran.stdout.starts_with(&expected), "{}", ran.stdout);
    }
}

#[test]
fn bad_usage_exits_2_with_one_line() {
    for args in [
        &["--markdown", "x"][..],
        &["--jsonn"],
        &["one", "two"],
        &["--markdown", "--json"],
    ] {
        let ran = run_example("explain", args, BOUND);
        assert_eq!(ran.status.code(), Some(2), "{args:?}: {}", ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{args:?}: {}", ran.stderr);
    }
}

#[test]
fn docs_messages_md_is_the_table_as_the_example_prints_it() {
    let ran = run_example("explain", &["--markdown"], BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/messages.md")).unwrap();
    assert!(
        docs == ran.stdout,
        "docs/messages.md is out of date: cargo run --example explain -- --markdown > docs/messages.md"
    );
}

#[test]
fn the_texts_that_name_the_wrong_event_are_explained_by_the_event_on_the_wire() {
    let cases = [
        // A ConnectionResetError by its class, raised on a FIN.
        (
            "http.client.RemoteDisconnected: Remote end closed connection without response",
            Event::ClosedBeforeAnswer,
        ),
        // nginx's own proxy_read_timeout, though it prints the kernel's errno.
        (
            "upstream timed out (110: Connection timed out) while reading response header from upstream",
            Event::OwnTimeout,
        ),
        // The program's own close.
        (
            "read tcp 127.0.0.1:50622->127.0.0.1:8080: use of closed network connection",
            Event::LocalClose,
        ),
    ];
    for (text, event) in cases {
        assert_matches!(explain(text), Explanation::Known(message) if message.event == event, "{text}");
    }
    assert!(MESSAGES.len() >= 60);
}

#[test]
fn the_readme_gives_the_tables_size_as_it_is() {
    let mut stacks: Vec<&str> = MESSAGES.iter().map(|message| message.stack).collect();
    stacks.sort();
    stacks.dedup();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let claim = format!(
        "a table of {} messages from {} stacks",
        MESSAGES.len(),
        stacks.len()
    );
    assert!(readme.contains(&claim), "the README should say: {claim}");
}

#[test]
fn a_text_full_of_near_misses_is_read_in_one_pass() {
    // Every entry's longest run of characters, over and over: each entry's
    // search has something to look at everywhere. A search that went back
    // over the text would take seconds here; one pass takes milliseconds
    // (measured, not asserted: the check is that it ends, and finds no
    // match, since the runs alone make no whole message).
    let runs: Vec<&str> = MESSAGES
        .iter()
        .map(|message| {
            message
                .text
                .split(['{', '}'])
                .max_by_key(|part| part.len())
                .unwrap_or_default()
        })
        .collect();
    let line = runs.join(" ");
    let text: String = std::iter::repeat_n(line.as_str(), 20)
        .collect::<Vec<_>>()
        .join("\n");
    let _ = explain(&text);
}

#[test]
fn a_wrapper_names_no_event_and_the_cause_printed_with_it_does() {
    let java = "java.io.IOException: HTTP/1.1 header parser received no bytes\n\tat x\nCaused by: java.net.SocketException: Connection reset\n";
    assert_matches!(explain(java), Explanation::Known(message) if message.event == Event::Reset);
    let node = "TypeError: terminated\n    at Fetch.onAborted\n  [cause]: SocketError: other side closed\n";
    assert_matches!(explain(node), Explanation::Known(message) if message.event == Event::ClosedMidAnswer);
    let colour = "\u{1b}[31mError\u{1b}[0m: \u{1b}[1msocket\u{1b}[0m hang up";
    assert_matches!(explain(colour), Explanation::Known(message) if message.text == "socket hang up");
    let bare = "java.net.ConnectException: Operation timed out";
    assert_matches!(explain(bare), Explanation::Unknown { .. });
}
