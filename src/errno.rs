//! What errno 54 and errno 104 really are: the socket errnos, by platform.
//!
//! The article's section "The Difference in Detail" says errno 54 comes from
//! sending after a reset and errno 104 from receiving after one.
//! Both halves are wrong.
//! The two numbers are the same error, ECONNRESET, numbered differently:
//! 104 on Linux (x86_64, arm, aarch64, riscv, powerpc, s390x), 54 on macOS,
//! FreeBSD, and Linux on sparc and alpha, 131 on Linux mips, and
//! WSAECONNRESET 10054 on Windows.
//! And the number says nothing about direction: on Linux, after an RST,
//! whichever call comes first, send or receive, gets ECONNRESET (pinned by
//! `tests/lessons/peer.rs`: `recv_after_reset_is_connection_reset_then_eof` and
//! `send_first_after_reset_is_connection_reset_then_broken_pipe`).
//! The article's other title, `socket.error: [Errno 104]`, is how Python 2,
//! and Python 3.0 to 3.2, printed the error; since Python 3.3
//! `socket.error` is an alias of `OSError` (PEP 3151) and the same reset
//! prints as `ConnectionResetError: [Errno 104] Connection reset by peer`.
//! The two titles differ by operating system and Python version, not by
//! what the program was doing.
//!
//! The article's Strategy 4 compares `e.errno == 104`.
//! That test is true on Linux x86_64 and false on a Mac for the very same
//! reset; on a Mac, the errno 104 it looks for is ENOTRECOVERABLE.
//! In Rust, compare the kind instead:
//! `error.kind() == ErrorKind::ConnectionReset` holds on every platform.
//! Keep `raw_os_error()` for printing and for looking a number up here.
//!
//! Small numbers are not the same everywhere either: errno 11 is EAGAIN on
//! Linux (mips and sparc included) but EDEADLK on macOS, FreeBSD and Linux
//! on alpha, where EAGAIN is 35.
//!
//! # Where the numbers come from
//!
//! None of the numbers here is taken on trust from memory; each column was
//! checked against a source (`docs/facts.md` lists them):
//! - Linux, most architectures: the kernel's
//!   `include/uapi/asm-generic/errno.h`, as the libc crate and Python's
//!   `errno` module have it; every number in this column was compared with
//!   CPython 3.11's `errno` module on this crate's x86_64 machine.
//! - Linux mips: the libc crate's mips `mod.rs` under `src/unix/linux_like/linux`,
//!   following `arch/mips/include/uapi/asm/errno.h`.
//! - Linux sparc: the libc crate, `src/unix/linux_like/linux/gnu/b64/sparc64/mod.rs`.
//! - Linux alpha: the kernel's `arch/alpha/include/uapi/asm/errno.h`
//!   (Rust has no alpha target, so the libc crate has no alpha file).
//! - macOS: Apple's `bsd/sys/errno.h` in xnu; that is also where errno 104
//!   is ENOTRECOVERABLE, "State not recoverable". The last errno depends on
//!   the SDK: 106 (EQFULL) in the older headers and in the libc crate's
//!   older Apple files, 107 (ENOTCAPABLE) in newer SDKs (the libc crate's
//!   Apple files, 2026; typeshed's pull request python/typeshed#14748,
//!   September 2025, reports `errno.ENOTCAPABLE` on macOS runners).
//! - FreeBSD: BSD's classic numbering, which it shares with macOS for every
//!   errno here (the libc crate's FreeBSD and Apple files); ELAST is 97 in
//!   the libc crate's FreeBSD files.
//! - Windows: std's own bindings, `library/std/src/sys/pal/windows/c/windows_sys.rs`
//!   (`WSAECONNRESET: WSA_ERROR = 10054`, and so on), and Microsoft's
//!   "Windows Sockets Error Codes" page. Winsock names EAGAIN's twin
//!   WSAEWOULDBLOCK (10035); there is no WSAEAGAIN. Winsock has no EPIPE:
//!   CPython maps WSAESHUTDOWN (10058) to `BrokenPipeError`
//!   (`Objects/exceptions.c`), but std's Windows error mapping has no arm
//!   for it (`Uncategorized`), and a Windows write after the peer's close
//!   fails with `ConnectionAborted` or `ConnectionReset` instead. So "the
//!   next send dies of `BrokenPipe`" is a Unix statement. Error 54 as a
//!   Win32 system error is `ERROR_NETWORK_BUSY` (the windows-sys crate).
//!
//! Only Linux on x86_64 is checked by running code here; the other columns
//! are cited, not run.

use std::fmt;

/// A platform whose errno numbering this module knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Linux on x86_64, arm, aarch64, riscv, powerpc, s390x and most others.
    Linux,
    /// Linux on mips, which numbers most socket errors from 120 up.
    LinuxMips,
    /// Linux on sparc, which uses BSD's numbers for socket errors.
    LinuxSparc,
    /// Linux on alpha, which uses BSD's numbers, EAGAIN included.
    LinuxAlpha,
    /// macOS (and Apple's other systems).
    MacOs,
    /// FreeBSD.
    FreeBsd,
    /// Windows, whose socket errors are Winsock codes from 10000 up.
    Windows,
}

impl Platform {
    /// Every platform, in the order of the table's columns.
    pub const ALL: [Platform; 7] = [
        Platform::Linux,
        Platform::LinuxMips,
        Platform::LinuxSparc,
        Platform::LinuxAlpha,
        Platform::MacOs,
        Platform::FreeBsd,
        Platform::Windows,
    ];

    /// The platform this program was compiled for, if this module knows its
    /// numbering.
    ///
    /// Worked out at compile time from `target_os` and `target_arch`.
    /// Android and the Linux architectures not named separately use the
    /// generic Linux numbers; iOS shares macOS's.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::errno::Platform;
    ///
    /// if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
    ///     assert_eq!(Platform::current(), Some(Platform::Linux));
    /// }
    /// ```
    pub fn current() -> Option<Platform> {
        if cfg!(all(
            any(target_os = "linux", target_os = "android"),
            any(
                target_arch = "mips",
                target_arch = "mips64",
                target_arch = "mips32r6",
                target_arch = "mips64r6"
            )
        )) {
            Some(Platform::LinuxMips)
        } else if cfg!(all(
            target_os = "linux",
            any(target_arch = "sparc", target_arch = "sparc64")
        )) {
            Some(Platform::LinuxSparc)
        } else if cfg!(any(target_os = "linux", target_os = "android")) {
            Some(Platform::Linux)
        } else if cfg!(any(target_os = "macos", target_os = "ios")) {
            Some(Platform::MacOs)
        } else if cfg!(target_os = "freebsd") {
            Some(Platform::FreeBsd)
        } else if cfg!(windows) {
            Some(Platform::Windows)
        } else {
            None
        }
    }

    /// A short name for tables, e.g. `Linux mips`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::errno::Platform;
    ///
    /// assert_eq!(Platform::MacOs.name(), "macOS");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Platform::Linux => "Linux",
            Platform::LinuxMips => "Linux mips",
            Platform::LinuxSparc => "Linux sparc",
            Platform::LinuxAlpha => "Linux alpha",
            Platform::MacOs => "macOS",
            Platform::FreeBsd => "FreeBSD",
            Platform::Windows => "Windows",
        }
    }

    /// The largest errno this platform defines, where one is known; larger
    /// numbers are no errno at all there.
    fn last_errno(self) -> Option<i32> {
        match self {
            // EHWPOISON, the last errno in each of these errno.h files.
            Platform::Linux => Some(133),
            Platform::LinuxSparc => Some(135),
            Platform::LinuxAlpha => Some(139),
            // ELAST in the system's own errno.h. For macOS it is 106 in older
            // SDKs and 107 (ENOTCAPABLE) in newer ones: the larger bound keeps
            // this module from calling 107 "no errno" where an SDK defines it.
            Platform::MacOs => Some(107),
            Platform::FreeBsd => Some(97),
            // Mips has EDQUOT at 1133, with wide gaps below it; Windows error
            // codes are not errnos. No simple bound is worth stating.
            Platform::LinuxMips | Platform::Windows => None,
        }
    }

    fn column(self) -> usize {
        match self {
            Platform::Linux => 0,
            Platform::LinuxMips => 1,
            Platform::LinuxSparc => 2,
            Platform::LinuxAlpha => 3,
            Platform::MacOs => 4,
            Platform::FreeBsd => 5,
            Platform::Windows => 6,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One errno and its number on each platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Errno {
    /// Its POSIX name, e.g. `ECONNRESET`.
    pub name: &'static str,
    /// What it means, in the words of the C library on Linux.
    pub description: &'static str,
    /// Whether socket code meets it; the printed table shows only these.
    pub socket: bool,
    /// Its number on each platform, in the order of [`Platform::ALL`];
    /// `None` where the platform has no such error.
    numbers: [Option<i32>; 7],
}

impl Errno {
    /// Its number on `platform`, if the platform has it.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::errno::{by_name, Platform};
    ///
    /// let reset = by_name("ECONNRESET").unwrap();
    /// assert_eq!(reset.number(Platform::Linux), Some(104));
    /// assert_eq!(reset.number(Platform::MacOs), Some(54));
    /// ```
    pub fn number(&self, platform: Platform) -> Option<i32> {
        self.numbers.get(platform.column()).copied().flatten()
    }

    /// Its name on `platform`: Winsock's names carry a `WSA` prefix, and
    /// Winsock calls EAGAIN's twin WSAEWOULDBLOCK.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::errno::{by_name, Platform};
    ///
    /// let reset = by_name("ECONNRESET").unwrap();
    /// assert_eq!(reset.name_on(Platform::Windows), "WSAECONNRESET");
    /// let again = by_name("EAGAIN").unwrap();
    /// assert_eq!(again.name_on(Platform::Windows), "WSAEWOULDBLOCK");
    /// ```
    pub fn name_on(&self, platform: Platform) -> String {
        match platform {
            // Winsock has only the EWOULDBLOCK spelling: there is no WSAEAGAIN.
            Platform::Windows if self.name == "EAGAIN" => "WSAEWOULDBLOCK".to_string(),
            Platform::Windows => format!("WSA{}", self.name),
            _ => self.name.to_string(),
        }
    }
}

/// Shorthand for the table below: one errno, its numbers in column order.
const fn errno(
    name: &'static str,
    description: &'static str,
    socket: bool,
    numbers: [Option<i32>; 7],
) -> Errno {
    Errno {
        name,
        description,
        socket,
        numbers,
    }
}

/// Every errno this crate knows: the socket errnos first, then the others
/// that Python's exception classes need (the PEP 3151 table in
/// `docs/facts.md`).
///
/// Columns: Linux, Linux mips, Linux sparc, Linux alpha, macOS, FreeBSD,
/// Windows (Winsock).
#[rustfmt::skip]
pub const ERRNOS: [Errno; 24] = [
    errno("ECONNRESET", "Connection reset by peer", true,
        [Some(104), Some(131), Some(54), Some(54), Some(54), Some(54), Some(10054)]),
    errno("EPIPE", "Broken pipe", true,
        [Some(32), Some(32), Some(32), Some(32), Some(32), Some(32), None]),
    errno("ECONNREFUSED", "Connection refused", true,
        [Some(111), Some(146), Some(61), Some(61), Some(61), Some(61), Some(10061)]),
    errno("ECONNABORTED", "Software caused connection abort", true,
        [Some(103), Some(130), Some(53), Some(53), Some(53), Some(53), Some(10053)]),
    errno("ETIMEDOUT", "Connection timed out", true,
        [Some(110), Some(145), Some(60), Some(60), Some(60), Some(60), Some(10060)]),
    // EWOULDBLOCK is the same number as EAGAIN on every platform here.
    errno("EAGAIN", "Resource temporarily unavailable", true,
        [Some(11), Some(11), Some(11), Some(35), Some(35), Some(35), Some(10035)]),
    errno("EINTR", "Interrupted system call", true,
        [Some(4), Some(4), Some(4), Some(4), Some(4), Some(4), Some(10004)]),
    errno("ENOTCONN", "Transport endpoint is not connected", true,
        [Some(107), Some(134), Some(57), Some(57), Some(57), Some(57), Some(10057)]),
    errno("ESHUTDOWN", "Cannot send after transport endpoint shutdown", true,
        [Some(108), Some(143), Some(58), Some(58), Some(58), Some(58), Some(10058)]),
    errno("EHOSTUNREACH", "No route to host", true,
        [Some(113), Some(148), Some(65), Some(65), Some(65), Some(65), Some(10065)]),
    errno("ENETUNREACH", "Network is unreachable", true,
        [Some(101), Some(128), Some(51), Some(51), Some(51), Some(51), Some(10051)]),
    errno("ENETDOWN", "Network is down", true,
        [Some(100), Some(127), Some(50), Some(50), Some(50), Some(50), Some(10050)]),
    errno("EADDRINUSE", "Address already in use", true,
        [Some(98), Some(125), Some(48), Some(48), Some(48), Some(48), Some(10048)]),
    errno("EADDRNOTAVAIL", "Cannot assign requested address", true,
        [Some(99), Some(126), Some(49), Some(49), Some(49), Some(49), Some(10049)]),
    // A non-blocking connect: Python calls both BlockingIOError.
    errno("EALREADY", "Operation already in progress", false,
        [Some(114), Some(149), Some(37), Some(37), Some(37), Some(37), Some(10037)]),
    errno("EINPROGRESS", "Operation now in progress", false,
        [Some(115), Some(150), Some(36), Some(36), Some(36), Some(36), Some(10036)]),
    // Each of these numbers is the same on every Unix here, but that is not
    // true of small numbers in general: 11 is EAGAIN on Linux and EDEADLK on
    // macOS, FreeBSD and alpha. Windows reports these as Win32 errors, which
    // this table does not hold.
    errno("EPERM", "Operation not permitted", false,
        [Some(1), Some(1), Some(1), Some(1), Some(1), Some(1), None]),
    errno("ENOENT", "No such file or directory", false,
        [Some(2), Some(2), Some(2), Some(2), Some(2), Some(2), None]),
    errno("ESRCH", "No such process", false,
        [Some(3), Some(3), Some(3), Some(3), Some(3), Some(3), None]),
    errno("ECHILD", "No child processes", false,
        [Some(10), Some(10), Some(10), Some(10), Some(10), Some(10), None]),
    errno("EACCES", "Permission denied", false,
        [Some(13), Some(13), Some(13), Some(13), Some(13), Some(13), Some(10013)]),
    errno("EEXIST", "File exists", false,
        [Some(17), Some(17), Some(17), Some(17), Some(17), Some(17), None]),
    errno("ENOTDIR", "Not a directory", false,
        [Some(20), Some(20), Some(20), Some(20), Some(20), Some(20), None]),
    errno("EISDIR", "Is a directory", false,
        [Some(21), Some(21), Some(21), Some(21), Some(21), Some(21), None]),
];

/// Numbers that collide with a socket errno on another platform, and what
/// they mean here instead. These are the ones the article's numbers and
/// their cousins (54, 104, 131) land on, and EAGAIN's two numbers (11, 35);
/// every entry is cited in the module doc.
const OTHER_MEANINGS: [(Platform, i32, &str, &str); 13] = [
    (Platform::Linux, 54, "EXFULL", "Exchange full"),
    (
        Platform::Linux,
        131,
        "ENOTRECOVERABLE",
        "State not recoverable",
    ),
    (Platform::LinuxMips, 54, "EBADRQC", "Invalid request code"),
    (Platform::LinuxSparc, 104, "EXFULL", "Exchange full"),
    (
        Platform::LinuxSparc,
        131,
        "EKEYREJECTED",
        "Key was rejected by service",
    ),
    (Platform::LinuxAlpha, 104, "EBFONT", "Bad font file format"),
    (
        Platform::LinuxAlpha,
        131,
        "ECANCELED",
        "Operation Cancelled",
    ),
    (
        Platform::MacOs,
        104,
        "ENOTRECOVERABLE",
        "State not recoverable",
    ),
    // Where EAGAIN is 35, 11 is a deadlock error; where it is 11, 35 is.
    (Platform::Linux, 35, "EDEADLK", "Resource deadlock avoided"),
    (
        Platform::LinuxAlpha,
        11,
        "EDEADLK",
        "Resource deadlock would occur",
    ),
    (Platform::MacOs, 11, "EDEADLK", "Resource deadlock avoided"),
    (
        Platform::FreeBsd,
        11,
        "EDEADLK",
        "Resource deadlock avoided",
    ),
    // A Win32 system error, not a Winsock one: no socket call returns it.
    (
        Platform::Windows,
        54,
        "ERROR_NETWORK_BUSY",
        "The network is busy",
    ),
];

/// What one number means on one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// An errno in this crate's table.
    Known(&'static Errno),
    /// An errno outside the table, known here because it collides with one
    /// in the table on another platform.
    Other {
        /// Its name, e.g. `EXFULL`.
        name: &'static str,
        /// What it means.
        description: &'static str,
    },
    /// No error has this number on the platform at all: zero, negative, or
    /// larger than its largest errno.
    NotAnErrno,
    /// The table does not hold this number for the platform: it may be some
    /// other error, but not one of the socket errors here.
    NotInTable,
}

impl fmt::Display for Meaning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Meaning::Known(errno) => write!(f, "{} ({})", errno.name, errno.description),
            Meaning::Other { name, description } => {
                write!(f, "{name} ({description}): not a socket error")
            }
            Meaning::NotAnErrno => f.write_str("no error has this number"),
            Meaning::NotInTable => f.write_str("not a socket error in this table"),
        }
    }
}

/// Looks an errno up by name, ignoring case; accepts `EWOULDBLOCK` for
/// `EAGAIN`, and Winsock's names for the errors Winsock has.
///
/// # Examples
///
/// ```
/// use reset_by_peer::errno::by_name;
///
/// assert_eq!(by_name("wsaeconnreset").map(|e| e.name), Some("ECONNRESET"));
/// assert_eq!(by_name("EWOULDBLOCK").map(|e| e.name), Some("EAGAIN"));
/// assert_eq!(by_name("WSAEWOULDBLOCK").map(|e| e.name), Some("EAGAIN"));
/// // Winsock has neither of these names.
/// assert!(by_name("WSAEAGAIN").is_none());
/// assert!(by_name("WSAEPIPE").is_none());
/// assert!(by_name("EBANANA").is_none());
/// ```
pub fn by_name(name: &str) -> Option<&'static Errno> {
    let upper = name.trim().to_ascii_uppercase();
    if upper.starts_with("WSA") {
        // A Winsock name counts only if Windows has the error and spells it
        // that way, so that WSAEAGAIN and WSAEPIPE are refused.
        return ERRNOS.iter().find(|errno| {
            errno.number(Platform::Windows).is_some() && errno.name_on(Platform::Windows) == upper
        });
    }
    let bare = if upper == "EWOULDBLOCK" {
        "EAGAIN"
    } else {
        upper.as_str()
    };
    ERRNOS.iter().find(|errno| errno.name == bare)
}

/// What `number` means on every platform, in the order of [`Platform::ALL`].
///
/// # Examples
///
/// ```
/// use reset_by_peer::errno::{by_number, Meaning, Platform};
///
/// // The article's title: 54 is ECONNRESET on a Mac, something else on Linux.
/// for (platform, meaning) in by_number(54) {
///     match platform {
///         Platform::MacOs => assert!(matches!(meaning, Meaning::Known(e) if e.name == "ECONNRESET")),
///         Platform::Linux => assert!(matches!(meaning, Meaning::Other { name: "EXFULL", .. })),
///         _ => {}
///     }
/// }
/// ```
pub fn by_number(number: i32) -> [(Platform, Meaning); 7] {
    Platform::ALL.map(|platform| (platform, meaning(number, platform)))
}

/// What `number` means on `platform`.
///
/// # Examples
///
/// ```
/// use reset_by_peer::errno::{meaning, Meaning, Platform};
///
/// assert!(matches!(meaning(104, Platform::Linux), Meaning::Known(e) if e.name == "ECONNRESET"));
/// assert_eq!(meaning(-1, Platform::Linux), Meaning::NotAnErrno);
/// ```
pub fn meaning(number: i32, platform: Platform) -> Meaning {
    if let Some(errno) = ERRNOS.iter().find(|e| e.number(platform) == Some(number)) {
        return Meaning::Known(errno);
    }
    let other = OTHER_MEANINGS
        .iter()
        .find(|(p, n, _, _)| *p == platform && *n == number);
    if let Some((_, _, name, description)) = other {
        return Meaning::Other { name, description };
    }
    let beyond_last = platform.last_errno().is_some_and(|last| number > last);
    if number <= 0 || beyond_last {
        Meaning::NotAnErrno
    } else {
        Meaning::NotInTable
    }
}

/// The name of `number` on this platform, if the table holds it, e.g.
/// `ECONNRESET` for 104 on Linux.
///
/// # Examples
///
/// ```
/// use std::io;
/// use reset_by_peer::errno::name_here;
///
/// let error = io::Error::from(io::ErrorKind::ConnectionReset);
/// // An error made from a kind alone has no number, so there is no name.
/// assert_eq!(error.raw_os_error().and_then(name_here), None);
/// ```
pub fn name_here(number: i32) -> Option<String> {
    let platform = Platform::current()?;
    match meaning(number, platform) {
        Meaning::Known(errno) => Some(errno.name_on(platform)),
        Meaning::Other { name, .. } => Some(name.to_string()),
        Meaning::NotAnErrno | Meaning::NotInTable => None,
    }
}
