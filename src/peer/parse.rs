//! Reading a script from its name: [`Script`]'s `FromStr`.

use std::fmt;
use std::str::FromStr;

use super::script::{
    DEFAULT_DRIP_INTERVAL, DEFAULT_IDLE, DEFAULT_SLICER_GAP, MIN_PACE_MS, Script, ScriptTime, Way,
};

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
        let (body, way) = split_way(text)?;
        let named = Named::of(body);
        if let Some(shaped) = shaped(&named, way.unwrap_or(Way::Answer)) {
            return shaped;
        }
        if way.is_some() {
            return Err(error(format!(
                "`{text}`: only latency, slicer, truncate and slow-close take an @direction"
            )));
        }
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
                .map_err(|_| named.pace_error("drip:150"))
                .and_then(|gap| named.paced(gap, "drip:150"))
                .map(Script::Drip),
            "reset-after" => named.count("reset-after:1024").map(Script::ResetAfter),
            "down" if named.argument.is_none() => Ok(Script::Down(1)),
            "down" => match named.count("down:1") {
                Ok(n) if n > 0 => Ok(Script::Down(n)),
                _ => Err(error(format!(
                    "`{text}`: down serves 1 to {} connections before its port closes, as in down:1",
                    u32::MAX
                ))),
            },
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

/// Splits `@request` or `@answer` off the end of a script's name.
fn split_way(text: &str) -> Result<(&str, Option<Way>), ParseScriptError> {
    match text.split_once('@') {
        None => Ok((text, None)),
        Some((body, "request")) => Ok((body, Some(Way::Request))),
        Some((body, "answer")) => Ok((body, Some(Way::Answer))),
        Some((_, other)) => Err(error(format!(
            "`{text}`: the direction after @ is request or answer, not `{other}`"
        ))),
    }
}

/// The scripts that shape one direction, `way`: None if `named` is none of
/// them.
fn shaped(named: &Named, way: Way) -> Option<Result<Script, ParseScriptError>> {
    let script = match named.name {
        "latency" => latency(named, way),
        "slicer" => slicer(named, way),
        "truncate" => named
            .count("truncate:100")
            .map(|bytes| Script::Truncate { bytes, way }),
        "slow-close" => named
            .required_time("slow-close:500")
            .map(|delay| Script::SlowClose { delay, way }),
        _ => return None,
    };
    Some(script)
}

/// `latency:MS` or `latency:MS~JITTER`, with JITTER from 0 to MS.
fn latency(named: &Named, way: Way) -> Result<Script, ParseScriptError> {
    let usage = "latency:100 or latency:100~20";
    let (delay, jitter) = match named.argument.map(|argument| argument.split_once('~')) {
        Some(Some((delay, jitter))) => (named.with(delay).required_time(usage)?, jitter),
        _ => (named.required_time(usage)?, "0"),
    };
    match digits(jitter).and_then(|jitter| u32::try_from(jitter).ok()) {
        Some(jitter) if u64::from(jitter) <= delay.as_millis() => {
            Ok(Script::Latency { delay, jitter, way })
        }
        _ => Err(error(format!(
            "`{}`: the jitter must be a whole number of milliseconds from 0 to the delay, as in {usage}",
            named.text
        ))),
    }
}

/// `slicer:BYTES` or `slicer:BYTES:MS`, with BYTES at least 1.
fn slicer(named: &Named, way: Way) -> Result<Script, ParseScriptError> {
    let usage = "slicer:8 or slicer:8:20";
    let (bytes, gap) = match named.argument.map(|argument| argument.split_once(':')) {
        Some(Some((bytes, gap))) => {
            // Any time that is not one, or is too short, gets the one range.
            let gap = match named.with(gap).required_time(usage) {
                Ok(gap) => named.paced(gap, usage)?,
                Err(_) => return Err(named.pace_error(usage)),
            };
            (named.with(bytes), gap)
        }
        Some(None) => (named.with(named.argument.unwrap_or("")), DEFAULT_SLICER_GAP),
        None => return Err(error(format!("`slicer` needs a count, as in {usage}"))),
    };
    match bytes.count(usage) {
        Ok(bytes) if bytes > 0 => Ok(Script::Slicer { bytes, gap, way }),
        _ => Err(error(format!(
            "`{}`: a piece has 1 to {} bytes, as in {usage}",
            named.text,
            u32::MAX
        ))),
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
#[derive(Clone, Copy)]
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

    /// The same name with `argument` as its argument: one part of an
    /// argument with two.
    fn with(&self, argument: &'a str) -> Named<'a> {
        Named {
            argument: Some(argument),
            ..*self
        }
    }

    /// `gap` if it is no shorter than `MIN_PACE_MS`, the shortest time
    /// between two of `drip`'s bytes or `slicer`'s pieces.
    fn paced(&self, gap: ScriptTime, usage: &str) -> Result<ScriptTime, ParseScriptError> {
        if gap.as_millis() >= u64::from(MIN_PACE_MS) {
            return Ok(gap);
        }
        Err(self.pace_error(usage))
    }

    /// Why a time between pieces is refused.
    fn pace_error(&self, usage: &str) -> ParseScriptError {
        error(format!(
            "`{}`: the time between pieces is {MIN_PACE_MS} to {} ms, as in {usage}: faster is no slow peer, and costs the peer a core",
            self.text,
            ScriptTime::MAX_MS
        ))
    }

    /// The argument as a script's time, which must be there.
    fn required_time(&self, usage: &str) -> Result<ScriptTime, ParseScriptError> {
        match self.argument {
            None => Err(error(format!(
                "`{}` needs a time, as in {usage}",
                self.name
            ))),
            Some(_) => self.time(DEFAULT_IDLE, usage),
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
