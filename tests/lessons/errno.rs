//! The errno table and its look-ups, both ways.

use reset_by_peer::errno::{ERRNOS, Meaning, Platform, by_name, by_number, name_here};

/// What a number should mean on one platform.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// An errno in the table, by name.
    Known(&'static str),
    /// A colliding errno outside the table, by name.
    Other(&'static str),
    NotAnErrno,
    NotInTable,
}

/// Checks every (platform, expectation) pair for `number` against
/// `by_number`, the complete answer.
fn assert_means(number: i32, expected: &[(Platform, Expect)]) {
    let answer = by_number(number);
    for (platform, expect) in expected {
        let meaning = answer.iter().find(|(p, _)| p == platform).unwrap().1;
        let matches = match (*expect, meaning) {
            (Expect::Known(name), Meaning::Known(errno)) => errno.name == name,
            (Expect::Other(name), Meaning::Other { name: other, .. }) => other == name,
            (Expect::NotAnErrno, Meaning::NotAnErrno) => true,
            (Expect::NotInTable, Meaning::NotInTable) => true,
            _ => false,
        };
        assert!(
            matches,
            "{number} on {platform}: expected {expect:?}, got {meaning:?}"
        );
    }
}

#[test]
fn number_54_is_econnreset_on_bsd_numbering_and_exfull_on_linux() {
    use Expect::*;
    use Platform::*;
    assert_means(
        54,
        &[
            (MacOs, Known("ECONNRESET")),
            (FreeBsd, Known("ECONNRESET")),
            (LinuxSparc, Known("ECONNRESET")),
            (LinuxAlpha, Known("ECONNRESET")),
            (Linux, Other("EXFULL")),
            (LinuxMips, Other("EBADRQC")),
            (Windows, Other("ERROR_NETWORK_BUSY")),
        ],
    );
}

#[test]
fn number_104_is_econnreset_on_linux_and_not_recoverable_on_macos() {
    use Expect::*;
    use Platform::*;
    assert_means(
        104,
        &[
            (Linux, Known("ECONNRESET")),
            (MacOs, Other("ENOTRECOVERABLE")),
            (LinuxSparc, Other("EXFULL")),
            (LinuxAlpha, Other("EBFONT")),
            // FreeBSD's largest errno is 97.
            (FreeBsd, NotAnErrno),
            (LinuxMips, NotInTable),
            (Windows, NotInTable),
        ],
    );
}

#[test]
fn number_10054_is_wsaeconnreset_on_windows_only() {
    use Expect::*;
    use Platform::*;
    assert_means(
        10054,
        &[
            (Windows, Known("ECONNRESET")),
            (Linux, NotAnErrno),
            (LinuxSparc, NotAnErrno),
            (LinuxAlpha, NotAnErrno),
            (MacOs, NotAnErrno),
            (FreeBsd, NotAnErrno),
            (LinuxMips, NotInTable),
        ],
    );
}

#[test]
fn number_131_is_econnreset_on_mips_only() {
    use Expect::*;
    use Platform::*;
    assert_means(
        131,
        &[
            (LinuxMips, Known("ECONNRESET")),
            (Linux, Other("ENOTRECOVERABLE")),
            (LinuxSparc, Other("EKEYREJECTED")),
            (LinuxAlpha, Other("ECANCELED")),
            (MacOs, NotAnErrno),
            (FreeBsd, NotAnErrno),
            (Windows, NotInTable),
        ],
    );
}

#[test]
fn number_11_is_eagain_on_linux_and_edeadlk_on_bsd_numbering() {
    use Expect::*;
    use Platform::*;
    assert_means(
        11,
        &[
            (Linux, Known("EAGAIN")),
            (LinuxMips, Known("EAGAIN")),
            (LinuxSparc, Known("EAGAIN")),
            (LinuxAlpha, Other("EDEADLK")),
            (MacOs, Other("EDEADLK")),
            (FreeBsd, Other("EDEADLK")),
            (Windows, NotInTable),
        ],
    );
    assert_means(35, &[(Linux, Other("EDEADLK")), (MacOs, Known("EAGAIN"))]);
}

#[test]
fn winsock_calls_eagain_wsaewouldblock_and_has_no_wsaeagain_or_wsaepipe() {
    let again = by_name("EAGAIN").unwrap();
    assert_eq!(again.number(Platform::Windows), Some(10035));
    assert_eq!(again.name_on(Platform::Windows), "WSAEWOULDBLOCK");
    assert_eq!(by_name("WSAEWOULDBLOCK").map(|e| e.name), Some("EAGAIN"));
    assert_eq!(by_name("WSAEAGAIN"), None);
    assert_eq!(by_name("WSAEPIPE"), None);
    assert_eq!(by_name("EPIPE").unwrap().number(Platform::Windows), None);
}

/// macOS's last errno is 106 in older SDKs and 107 (ENOTCAPABLE) in newer
/// ones, so 107 is not called "no errno" there; 108 is.
#[test]
fn macos_107_is_left_open_because_newer_sdks_define_it() {
    use Expect::*;
    use Platform::*;
    assert_means(107, &[(MacOs, NotInTable)]);
    assert_means(108, &[(MacOs, NotAnErrno)]);
}

#[test]
fn names_look_up_case_insensitively_with_aliases() {
    assert_eq!(by_name("econnreset").map(|e| e.name), Some("ECONNRESET"));
    assert_eq!(by_name("WSAECONNRESET").map(|e| e.name), Some("ECONNRESET"));
    assert_eq!(by_name("EWOULDBLOCK").map(|e| e.name), Some("EAGAIN"));
    assert_eq!(by_name("ENOSUCHTHING"), None);
    assert_eq!(by_name(""), None);
}

#[test]
fn no_two_errnos_share_a_number_on_one_platform() {
    for platform in Platform::ALL {
        let mut numbers: Vec<i32> = ERRNOS.iter().filter_map(|e| e.number(platform)).collect();
        let count = numbers.len();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), count, "{platform}");
    }
}

#[test]
fn every_number_in_the_table_looks_up_to_its_own_name() {
    for errno in ERRNOS {
        for platform in Platform::ALL {
            if let Some(number) = errno.number(platform) {
                assert_means(number, &[(platform, Expect::Known(errno.name))]);
            }
        }
    }
}

/// On Linux x86_64 the table's numbers are the ones the kernel returns:
/// std turns each into the kind `docs/facts.md` lists.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn this_platforms_numbers_give_the_kinds_std_reports_on_linux() {
    use std::io::{self, ErrorKind::*};
    assert_eq!(Platform::current(), Some(Platform::Linux));
    let expected = [
        ("ECONNRESET", ConnectionReset),
        ("EPIPE", BrokenPipe),
        ("ECONNREFUSED", ConnectionRefused),
        ("ECONNABORTED", ConnectionAborted),
        ("ETIMEDOUT", TimedOut),
        ("EAGAIN", WouldBlock),
        ("EINTR", Interrupted),
        ("ENOTCONN", NotConnected),
        ("EHOSTUNREACH", HostUnreachable),
        ("ENETUNREACH", NetworkUnreachable),
        ("ENETDOWN", NetworkDown),
        ("EADDRINUSE", AddrInUse),
        ("EADDRNOTAVAIL", AddrNotAvailable),
    ];
    for (name, kind) in expected {
        let number = by_name(name).unwrap().number(Platform::Linux).unwrap();
        assert_eq!(io::Error::from_raw_os_error(number).kind(), kind, "{name}");
        assert_eq!(name_here(number).as_deref(), Some(name));
    }
}

#[test]
fn a_sweep_of_raw_codes_never_panics() {
    // Every number any table here holds (Linux's, up to mips' 1133, and
    // Winsock's 10004 to 11031), a margin around them, and the extremes.
    let codes = (-100..=1_300).chain(9_900..=11_100).chain([
        i32::MIN,
        i32::MIN + 1,
        i32::MAX - 1,
        i32::MAX,
    ]);
    for code in codes {
        for (_, meaning) in by_number(code) {
            let _ = meaning.to_string();
        }
        let _ = name_here(code);
        let _ = by_name(&code.to_string());
    }
}
