//! The check of exercise 2, kept apart from the exercise: what a right
//! answer must do, case by case, and the reason a wrong one fails.

use super::*;

/// Checks `same` on the numbers of the article's title, their cousins, and
/// numbers the crate's table does not name.
pub fn check(same: fn(i32, Platform, i32, Platform) -> bool) -> Result<(), String> {
    use Platform::*;
    let cases = [
        (54, MacOs, 104, Linux, true, "both are ECONNRESET"),
        (10054, Windows, 131, LinuxMips, true, "both are ECONNRESET"),
        (
            54,
            Linux,
            54,
            MacOs,
            false,
            "EXFULL on Linux, ECONNRESET on macOS",
        ),
        (
            104,
            Linux,
            104,
            MacOs,
            false,
            "ECONNRESET on Linux, ENOTRECOVERABLE on macOS",
        ),
        (32, Linux, 32, FreeBsd, true, "EPIPE on both"),
        (11, Linux, 35, MacOs, true, "both are EAGAIN"),
        (
            54,
            Linux,
            54,
            Linux,
            true,
            "a number is the same error as itself: EXFULL",
        ),
        (
            54,
            Linux,
            104,
            LinuxSparc,
            true,
            "both are EXFULL, an errno outside the socket table",
        ),
        (
            40,
            Linux,
            40,
            Linux,
            true,
            "a number the crate cannot name is still the same error as itself",
        ),
        (
            40,
            Linux,
            41,
            Linux,
            false,
            "two numbers the crate cannot name cannot be shown to be the same",
        ),
        (
            11,
            Linux,
            11,
            MacOs,
            false,
            "EAGAIN on Linux; on macOS 11 is another error",
        ),
        (
            0,
            Linux,
            -1,
            Linux,
            false,
            "neither number is an error at all",
        ),
        (
            99999,
            Linux,
            99999,
            MacOs,
            false,
            "no error has this number on either platform",
        ),
        (
            40,
            Linux,
            40,
            MacOs,
            false,
            "a number the crate cannot name is the same only as itself, on its own platform",
        ),
        (
            0,
            Linux,
            0,
            Linux,
            true,
            "a number on one platform is the same as itself, even one that is no error",
        ),
    ];
    for (a, on_a, b, on_b, expected, why) in cases {
        let got = same(a, on_a, b, on_b);
        if got != expected {
            return Err(format!(
                "same_error({a}, {on_a:?}, {b}, {on_b:?}): expected {expected}, got {got}: {why}"
            ));
        }
    }
    Ok(())
}
