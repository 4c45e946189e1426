//! Paste your error: what a message from any stack means on the wire.
//!
//! Looks the text up in the crate's table (`reset_by_peer::explain`), and
//! says what happened, in the article's terms and in Rust's, which lab
//! command reproduces it and which lesson handles it. A text it does not
//! know gets `unknown` and the nearest entries, never a guess.
//!
//! Run:  cargo run --example explain -- 'curl: (52) Empty reply from server'
//!       some-client 2>&1 | cargo run --example explain
//!       cargo run --example explain -- --json 'read ECONNRESET'

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::io::{IsTerminal, Read};

use reset_by_peer::explain::{Event, Explanation, MESSAGES, Message, READ_AT_MOST, explain};

const NAME: &str = "explain";
const USAGE: &str = "\
usage: cargo run --example explain -- [--json] [TEXT]
       cargo run --example explain -- --markdown

Explains an error message from any stack (Python, curl, Go, Node, Java,
.NET, Rust, nginx, libpq, MySQL, redis...): what happened on the wire, the
lab command that reproduces it, and the lesson that handles it. With no
TEXT, reads the text from standard input (the first 64 KiB).

  --json       print one JSON object: event, stack, script, retry_safe, and
               the rest of the entry (or the nearest entries if unknown)
  --markdown   print the whole table, grouped by stack (docs/messages.md)
";

/// What the command line asks for.
struct Request {
    json: bool,
    markdown: bool,
    text: Option<String>,
}

fn parse() -> Request {
    let mut args = common::Args::from_env(NAME, USAGE);
    let mut request = Request {
        json: false,
        markdown: false,
        text: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => request.json = true,
            "--markdown" => request.markdown = true,
            // A text that begins with a dash goes on standard input.
            _ if arg.starts_with('-') => args.unknown(&arg),
            _ if request.text.is_none() => request.text = Some(arg),
            _ => common::fail(NAME, "one TEXT at most: quote it"),
        }
    }
    if request.markdown && (request.json || request.text.is_some()) {
        common::fail(NAME, "--markdown goes alone");
    }
    request
}

/// The text from standard input: its first [`READ_AT_MOST`] bytes, any
/// bytes that are not UTF-8 replaced.
fn stdin_text() -> std::io::Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(READ_AT_MOST as u64)
        .read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The text from standard input; at a terminal, first says how to end it.
fn stdin_text_told() -> std::io::Result<String> {
    if std::io::stdin().is_terminal() {
        common::complain(format_args!(
            "{NAME}: paste the message, then Ctrl-D (on Windows, Ctrl-Z then Enter)"
        ));
    }
    stdin_text()
}

/// The command that reproduces `script`.
fn lab_command(script: &str, event: Event) -> String {
    match script {
        // The program's own close: nothing on the wire to reproduce.
        "" if event == Event::LocalClose => {
            "nothing to run: the program's own close causes it".to_string()
        }
        "" => "no lab script does; the entry in src/explain/messages.rs says why".to_string(),
        "refused" => {
            "any port nobody listens on; `cargo run --example exchange` shows one".to_string()
        }
        "partition" => "`cargo run --example partition` (Linux, as root)".to_string(),
        // The relay's own script: it needs a server of yours behind it.
        script if script.starts_with("reset-after") => format!(
            "`cargo run --example peer -- {script} --upstream HOST:PORT`, your server behind the relay, then point your client at 127.0.0.1:8080"
        ),
        script => format!(
            "`cargo run --example peer -- {script}`, then point your client at 127.0.0.1:8080"
        ),
    }
}

/// What else the text is printed for, as a sentence, or nothing.
fn also(message: &Message) -> String {
    if message.also.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = message.also.iter().map(|event| event.name()).collect();
    format!(
        " The same text is also printed for: {}; the cause printed with it, if any, says which.",
        names.join(", ")
    )
}

/// The paragraph for a known message.
fn narrate(message: &Message) -> String {
    format!(
        "{stack} ({versions}): {event}, {place}.{also}\n\n{story}\n\n\
         Send the request again on a new connection: {retry}.\n\
         Reproduce it: {lab}.\n\
         The lesson: `cargo run --example {lesson}` (module `reset_by_peer::{lesson}`).\n\
         Source of the text: {source}.",
        stack = message.stack,
        versions = message.versions,
        event = message.event.name(),
        place = message.place.name(),
        story = message.event.story(),
        retry = message.retry.name(),
        lab = lab_command(message.script, message.event),
        also = also(message),
        lesson = message.lesson,
        source = message.source,
    )
}

/// One entry as a JSON object.
fn json_entry(message: &Message) -> String {
    format!(
        "{{\"event\":{},\"also\":[{}],\"stack\":{},\"versions\":{},\"place\":{},\"script\":{},\"retry_safe\":{},\"lesson\":{},\"text\":{},\"source\":{}}}",
        common::json_string(message.event.name()),
        message
            .also
            .iter()
            .map(|event| common::json_string(event.name()))
            .collect::<Vec<_>>()
            .join(","),
        common::json_string(message.stack),
        common::json_string(message.versions),
        common::json_string(message.place.name()),
        common::json_string(message.script),
        common::json_string(message.retry.name()),
        common::json_string(message.lesson),
        common::json_string(message.text),
        common::json_string(message.source),
    )
}

/// The event, and what else the text is printed for.
fn event_with_also(message: &Message) -> String {
    let also: Vec<&str> = message.also.iter().map(|event| event.name()).collect();
    if also.is_empty() {
        message.event.name().to_string()
    } else {
        format!("{} (also {})", message.event.name(), also.join(", "))
    }
}

/// The whole table, for readers: grouped by stack, in the table's order.
fn markdown() -> String {
    let mut out = String::from(
        "# Error messages, by stack\n\n\
         What each stack prints for the same few TCP events, and what happened on the wire.\n\
         Generated from the table in `src/explain/messages.rs` by `cargo run --example explain -- --markdown`; a test keeps the two the same.\n\
         `cargo run --example explain -- 'TEXT'` looks a message up.\n\
         In a text, `{n}` is a number, `{host}` a host, `{port}` a port, `{addr}` a `HOST:PORT`, `{path}` a path or URL, `{*}` any text on the line, `{**}` any text across lines, and `{end}` the end of a line.\n\
         A short text such as `unexpected EOF` is found wherever it stands, in another library's message too: the stack column says whose it is.\n\
         The events: `reset` (an RST), `closed-before-answer` and `closed-mid-answer` (a FIN), `own-timeout` (the program's timer), `kernel-timeout` (ETIMEDOUT), `refused`, `unreachable`, `local-close` (the program's own close).\n",
    );
    let mut stacks: Vec<&str> = Vec::new();
    for message in MESSAGES {
        if !stacks.contains(&message.stack) {
            stacks.push(message.stack);
        }
    }
    for stack in stacks {
        out.push_str(&format!(
            "\n## {stack}\n\n| text | event | where | retry on a new connection | lab script | lesson | source |\n|---|---|---|---|---|---|---|\n"
        ));
        for message in MESSAGES.iter().filter(|message| message.stack == stack) {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} | {} ({}) |\n",
                message.text.replace('|', "\\|"),
                event_with_also(message),
                message.place.name(),
                message.retry.name(),
                if message.script.is_empty() {
                    "—"
                } else {
                    message.script
                },
                message.lesson,
                message.source.replace('|', "\\|"),
                message.versions,
            ));
        }
    }
    out
}

fn main() {
    let request = parse();
    if request.markdown {
        say!("{}", markdown().trim_end());
        return;
    }
    let text = match request.text {
        Some(text) => text,
        None => match stdin_text_told() {
            Ok(text) => text,
            Err(error) => {
                common::fail_run(NAME, format_args!("cannot read standard input: {error}"))
            }
        },
    };
    if text.trim().is_empty() && !request.json {
        say!("nothing to explain: the text is empty");
        return;
    }
    match (explain(&text), request.json) {
        (Explanation::Known(message), false) => say!("{}", narrate(message)),
        (Explanation::Known(message), true) => say!("{}", json_entry(message)),
        (Explanation::Unknown { nearest }, false) => {
            say!(
                "unknown: the table holds no message like this one (it holds {} messages).",
                MESSAGES.len()
            );
            for message in nearest {
                say!(
                    "  nearest: {} ({}): `{}`, {}",
                    message.stack,
                    message.versions,
                    message.text,
                    message.event.name()
                );
            }
        }
        (Explanation::Unknown { nearest }, true) => {
            let nearest: Vec<String> = nearest.into_iter().map(json_entry).collect();
            say!(
                "{{\"event\":{},\"stack\":null,\"script\":null,\"retry_safe\":null,\"nearest\":[{}]}}",
                common::json_string(Event::Unknown.name()),
                nearest.join(",")
            );
        }
    }
}
