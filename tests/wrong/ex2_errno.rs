//! Exercise 2: wrong but plausible fixes, each of which the check must fail.

/// Only errnos in the socket table count: EXFULL is not even the same as
/// itself (the reference solution shipped before issue 13 did this).
pub mod socket_table_only {
    use reset_by_peer::errno::{Meaning, Platform, meaning};

    pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
        match (meaning(a, on_a), meaning(b, on_b)) {
            (Meaning::Known(x), Meaning::Known(y)) => x.name == y.name,
            _ => false,
        }
    }
}

/// Compares the two `Meaning`s whole: two unknown numbers, or two numbers
/// that are no error at all, come out equal.
pub mod meanings_equal {
    use reset_by_peer::errno::{Platform, meaning};

    pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
        meaning(a, on_a) == meaning(b, on_b)
    }
}

/// Looks both numbers up on the first platform only.
pub mod one_platform {
    use reset_by_peer::errno::{Meaning, Platform, meaning};

    pub fn same_error(a: i32, on_a: Platform, b: i32, _on_b: Platform) -> bool {
        match (meaning(a, on_a), meaning(b, on_a)) {
            (Meaning::Known(x), Meaning::Known(y)) => x.name == y.name,
            _ => a == b,
        }
    }
}

/// Compares the names as each platform spells them: WSAECONNRESET is then
/// not ECONNRESET.
pub mod platform_spelling {
    use reset_by_peer::errno::{Meaning, Platform, meaning};

    pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
        if a == b && on_a == on_b {
            return true;
        }
        match (meaning(a, on_a), meaning(b, on_b)) {
            (Meaning::Known(x), Meaning::Known(y)) => x.name_on(on_a) == y.name_on(on_b),
            _ => false,
        }
    }
}

/// Takes two numbers the crate cannot name for the same error whenever the
/// numbers are equal, whatever their platforms.
pub mod unnamed_equal_anywhere {
    use reset_by_peer::errno::{Meaning, Platform, meaning};

    pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
        let name = |n, p| match meaning(n, p) {
            Meaning::Known(errno) => Some(errno.name),
            Meaning::Other { name, .. } => Some(name),
            Meaning::NotAnErrno | Meaning::NotInTable => None,
        };
        match (meaning(a, on_a), meaning(b, on_b)) {
            (Meaning::NotInTable, Meaning::NotInTable) => a == b,
            _ => matches!((name(a, on_a), name(b, on_b)), (Some(x), Some(y)) if x == y),
        }
    }
}

/// Keeps the starter's `a == b` as a shortcut before looking the numbers
/// up: 54 on Linux (EXFULL) passes for 54 on macOS (ECONNRESET).
pub mod equal_numbers_first {
    use reset_by_peer::errno::{Meaning, Platform, meaning};

    pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
        if a == b {
            return true;
        }
        match (meaning(a, on_a), meaning(b, on_b)) {
            (Meaning::Known(x), Meaning::Known(y)) => x.name == y.name,
            (Meaning::Other { name: x, .. }, Meaning::Other { name: y, .. }) => x == y,
            _ => false,
        }
    }
}

/// Names both numbers with `name_here`, the crate's one-call lookup, which
/// names a number on the platform the program runs on, not on the one it
/// came from.
pub mod named_here {
    use reset_by_peer::errno::{Platform, name_here};

    pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
        if a == b && on_a == on_b {
            return true;
        }
        matches!((name_here(a), name_here(b)), (Some(x), Some(y)) if x == y)
    }
}

/// Compares what the errors say, their descriptions, instead of their
/// names: one error described in other words on another platform is taken
/// for another error.
pub mod compares_descriptions {
    use reset_by_peer::errno::{Meaning, Platform, meaning};

    pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
        if a == b && on_a == on_b {
            return true;
        }
        let description = |n, p| match meaning(n, p) {
            Meaning::Known(errno) => Some(errno.description),
            Meaning::Other { description, .. } => Some(description),
            Meaning::NotAnErrno | Meaning::NotInTable => None,
        };
        matches!((description(a, on_a), description(b, on_b)), (Some(x), Some(y)) if x == y)
    }
}
