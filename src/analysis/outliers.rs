//! Dates that would set the as-of date on their own: a mistyped year (`2204-01-05`) or a
//! placeholder (`9999-12-31`) far after the rest of the data.

/// Late dates found beyond a gap, and where the rest of the data ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutlyingEnd {
    /// How many of the dates lie beyond the gap.
    pub count: usize,
    /// The latest date before the gap (days since the epoch).
    pub rest_end: i32,
}

/// A year, the smallest gap that can set dates apart.
const MIN_GAP: i32 = 365;

/// Looks at one date per customer (its last) for a gap that splits off a minority of late dates:
/// wider than a year and wider than the time the bulk of the data spans before it (from its
/// first percentile, so that an early placeholder does not widen that span). The gap closest to
/// the bulk is taken, so that several outliers of different years are all found.
pub fn outlying_end(mut dates: Vec<i32>) -> Option<OutlyingEnd> {
    let n = dates.len();
    if n < 2 {
        return None;
    }
    dates.sort_unstable_by(|a, b| b.cmp(a));
    let start = dates[n - 1 - (n - 1) / 100];
    let mut found = None;
    for i in 0..n / 2 {
        let (late, next) = (dates[i], dates[i + 1]);
        let gap = late - next;
        if gap > MIN_GAP && gap > next - start {
            found = Some(OutlyingEnd {
                count: i + 1,
                rest_end: next,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2011-01-01 + k days.
    fn bulk(n: i32) -> Vec<i32> {
        (0..n).map(|k| 14975 + k % 700).collect()
    }

    #[test]
    fn a_mistyped_year_is_found() {
        let mut d = bulk(300);
        d.push(14975 + 70000);
        let o = outlying_end(d).unwrap();
        assert_eq!(o.count, 1);
        assert_eq!(o.rest_end, 14975 + 299);
    }

    #[test]
    fn placeholders_of_several_years_are_all_found() {
        let mut d = bulk(300);
        d.extend([2_932_896, 2_932_896, 14975 + 5000]);
        assert_eq!(outlying_end(d).unwrap().count, 3);
    }

    #[test]
    fn an_early_placeholder_does_not_hide_a_late_one() {
        let mut d = bulk(300);
        d.extend([-25567, 14975 + 4000]);
        assert_eq!(outlying_end(d).unwrap().rest_end, 14975 + 299);
    }

    #[test]
    fn ordinary_data_has_none() {
        assert_eq!(outlying_end(bulk(300)), None);
        // Few customers years apart, each gap shorter than the time before it.
        assert_eq!(outlying_end(vec![0, 2000, 2500]), None);
        assert_eq!(outlying_end(vec![5]), None);
        // A majority after the gap is no outlier: it is the data.
        let mut d = vec![0; 10];
        d.extend(vec![5000; 20]);
        assert_eq!(outlying_end(d), None);
    }
}
