//! Reading a script from its name: [`Script`]'s `FromStr`.

use std::fmt;
use std::str::FromStr;

use super::script::{DEFAULT_DRIP_INTERVAL, DEFAULT_IDLE, Script, ScriptTime};

/// A script name that [`Script`]'s `FromStr` could not understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseScriptError {
    message: String,
}

impl fmt::Display for ParseScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseScriptError {}

impl FromStr for Script {
    type Err = ParseScriptError;

    /// Parses a script name such as `reset`, `drip:20` or `flaky:2`.
    fn from_str(text: &str) -> Result<Script, ParseScriptError> {
        let named = Named::of(text);
        match named.name {
            "flaky" => named.count("flaky:2").map(Script::Flaky),
            "silent-after" => named.count("silent-after:3").map(Script::SilentAfter),
            "idle-close" => named
                .time(DEFAULT_IDLE, "idle-close:200")
                .map(Script::IdleClose),
            "idle-reset" => named
                .time(DEFAULT_IDLE, "idle-reset:200")
                .map(Script::IdleReset),
            "drip" => named
                .time(DEFAULT_DRIP_INTERVAL, "drip:150")
                .map(Script::Drip),
            "reset-after" => named.count("reset-after:1024").map(Script::ResetAfter),
            name => match (bare(name), named.argument) {
                (None, _) => Err(error(format!("unknown script `{text}`"))),
                // Scripts that take no argument refuse one rather than
                // ignore it.
                (Some(_), Some(_)) => Err(error(format!("`{name}` takes no `:` argument"))),
                (Some(script), None) => Ok(script),
            },
        }
    }
}

/// The script named `name` among those that take no argument.
fn bare(name: &str) -> Option<Script> {
    match name {
        "echo" => Some(Script::Echo),
        "reset" => Some(Script::Reset),
        "close" => Some(Script::Close),
        "hello-reset" => Some(Script::HelloReset),
        "stall" => Some(Script::Stall),
        "heartbeat" => Some(Script::Heartbeat),
        _ => None,
    }
}

/// A script's name as written, split at its `:`.
struct Named<'a> {
    /// The whole text, for the error messages.
    text: &'a str,
    name: &'a str,
    argument: Option<&'a str>,
}

impl<'a> Named<'a> {
    fn of(text: &'a str) -> Named<'a> {
        let (name, argument) = match text.split_once(':') {
            Some((name, argument)) => (name, Some(argument)),
            None => (text, None),
        };
        Named {
            text,
            name,
            argument,
        }
    }

    /// The argument as a count, which takes the whole range of u32:
    /// `flaky:0` resets nothing, and every u32 prints back as itself.
    fn count(&self, usage: &str) -> Result<u32, ParseScriptError> {
        let as_count = |text: &str| digits(text).and_then(|n| u32::try_from(n).ok());
        match self.argument.map(as_count) {
            Some(Some(n)) => Ok(n),
            Some(None) => Err(error(format!(
                "`{}`: the count must be a whole number from 0 to {}, as in {usage}",
                self.text,
                u32::MAX
            ))),
            None => Err(error(format!(
                "`{}` needs a count, as in {usage}",
                self.name
            ))),
        }
    }

    /// The argument as a script's time: the default, or MS within ScriptTime's
    /// range.
    fn time(&self, default: ScriptTime, usage: &str) -> Result<ScriptTime, ParseScriptError> {
        match self.argument.map(|ms| digits(ms).map(ScriptTime::new)) {
            None => Ok(default),
            Some(Some(Ok(ms))) => Ok(ms),
            Some(_) => Err(error(format!(
                "`{}`: the time must be a whole number of milliseconds from {} to {}, as in {usage}",
                self.text,
                ScriptTime::MIN_MS,
                ScriptTime::MAX_MS
            ))),
        }
    }
}

fn error(message: String) -> ParseScriptError {
    ParseScriptError { message }
}

/// The number written in `text`, if it is only decimal digits and fits in a
/// u64. The standard parser also takes a leading `+`, which would not print
/// back the same.
fn digits(text: &str) -> Option<u64> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}
