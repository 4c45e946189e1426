//! Exercise 2, solved: look both numbers up and compare the errors.

use reset_by_peer::errno::{Meaning, Platform, meaning};

pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
    // Changed: compare what the numbers mean on their own platforms.
    match (meaning(a, on_a), meaning(b, on_b)) {
        (Meaning::Known(x), Meaning::Known(y)) => x.name == y.name,
        _ => false,
    }
}
