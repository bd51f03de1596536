//! The order of customer ids wherever ties are broken by id: numerically when every id is a
//! number (`9` before `10`, as `classify` ranks), as text otherwise.

use std::cmp::Ordering;

/// How a set of ids is ordered.
#[derive(Debug, Clone, Copy)]
pub struct IdOrder {
    numeric: bool,
}

impl IdOrder {
    /// The order of `ids`: numeric when every one is a whole number.
    pub fn of<'a>(mut ids: impl Iterator<Item = &'a str>) -> Self {
        IdOrder {
            numeric: ids.all(|i| i.parse::<u64>().is_ok()),
        }
    }

    /// Compares two ids of the set.
    pub fn cmp(self, a: &str, b: &str) -> Ordering {
        if self.numeric {
            let n = |s: &str| s.parse::<u64>().unwrap_or(u64::MAX);
            n(a).cmp(&n(b)).then_with(|| a.cmp(b))
        } else {
            a.cmp(b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_number_order_and_text_as_text() {
        let mut ids = vec!["100", "2", "1000", "1"];
        let o = IdOrder::of(ids.iter().copied());
        ids.sort_by(|a, b| o.cmp(a, b));
        assert_eq!(ids, ["1", "2", "100", "1000"]);
        let mut ids = vec!["b", "10", "a2"];
        let o = IdOrder::of(ids.iter().copied());
        ids.sort_by(|a, b| o.cmp(a, b));
        assert_eq!(ids, ["10", "a2", "b"]);
    }
}
