//! The errno table and its look-ups, both ways.

use std::io;

use assert_matches::assert_matches;
use reset_by_peer::errno::{ERRNOS, Meaning, Platform, by_name, by_number, meaning, name_here};

/// The answer for one platform in a `by_number` result.
fn on(number: i32, platform: Platform) -> Meaning {
    let all = by_number(number);
    all.iter().find(|(p, _)| *p == platform).unwrap().1
}

fn known(meaning: Meaning) -> Option<&'static str> {
    match meaning {
        Meaning::Known(errno) => Some(errno.name),
        _ => None,
    }
}

#[test]
fn number_54_is_econnreset_on_bsd_numbering_and_exfull_on_linux() {
    for platform in [
        Platform::MacOs,
        Platform::FreeBsd,
        Platform::LinuxSparc,
        Platform::LinuxAlpha,
    ] {
        assert_eq!(known(on(54, platform)), Some("ECONNRESET"), "{platform}");
    }
    assert_matches!(
        on(54, Platform::Linux),
        Meaning::Other { name: "EXFULL", .. }
    );
    assert_matches!(
        on(54, Platform::LinuxMips),
        Meaning::Other {
            name: "EBADRQC",
            ..
        }
    );
    assert_matches!(
        on(54, Platform::Windows),
        Meaning::Other {
            name: "ERROR_NETWORK_BUSY",
            ..
        }
    );
}

#[test]
fn number_104_is_econnreset_on_linux_and_not_recoverable_on_macos() {
    assert_eq!(known(on(104, Platform::Linux)), Some("ECONNRESET"));
    assert_matches!(
        on(104, Platform::MacOs),
        Meaning::Other {
            name: "ENOTRECOVERABLE",
            ..
        }
    );
    assert_matches!(
        on(104, Platform::LinuxSparc),
        Meaning::Other { name: "EXFULL", .. }
    );
    assert_matches!(
        on(104, Platform::LinuxAlpha),
        Meaning::Other { name: "EBFONT", .. }
    );
    // FreeBSD's largest errno is 97.
    assert_eq!(on(104, Platform::FreeBsd), Meaning::NotAnErrno);
    assert_eq!(on(104, Platform::LinuxMips), Meaning::NotInTable);
    assert_eq!(on(104, Platform::Windows), Meaning::NotInTable);
}

#[test]
fn number_10054_is_wsaeconnreset_on_windows_only() {
    assert_eq!(known(on(10054, Platform::Windows)), Some("ECONNRESET"));
    for (platform, meaning) in by_number(10054) {
        if platform != Platform::Windows {
            assert_matches!(
                meaning,
                Meaning::NotAnErrno | Meaning::NotInTable,
                "{platform}"
            );
        }
    }
}

#[test]
fn number_131_is_econnreset_on_mips_only() {
    assert_eq!(known(on(131, Platform::LinuxMips)), Some("ECONNRESET"));
    assert_matches!(
        on(131, Platform::Linux),
        Meaning::Other {
            name: "ENOTRECOVERABLE",
            ..
        }
    );
    assert_matches!(
        on(131, Platform::LinuxSparc),
        Meaning::Other {
            name: "EKEYREJECTED",
            ..
        }
    );
    assert_matches!(
        on(131, Platform::LinuxAlpha),
        Meaning::Other {
            name: "ECANCELED",
            ..
        }
    );
    assert_eq!(on(131, Platform::MacOs), Meaning::NotAnErrno);
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
                assert_eq!(
                    known(meaning(number, platform)),
                    Some(errno.name),
                    "{platform} {number}"
                );
            }
        }
    }
}

/// On Linux x86_64 the table's numbers are the ones the kernel returns:
/// std turns each into the kind FACTS.md lists.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn this_platforms_numbers_give_the_kinds_std_reports_on_linux() {
    use io::ErrorKind::*;
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
    let codes = (-1_000..=20_000).chain([i32::MIN, i32::MAX, i32::MIN + 1, i32::MAX - 1]);
    for code in codes {
        for (_, meaning) in by_number(code) {
            let _ = meaning.to_string();
        }
        let _ = name_here(code);
        let _ = by_name(&code.to_string());
    }
}
