//! The fold at the heart of the stage: canonical lines in, one running state per customer out.
//!
//! A customer's day is a purchase or not only once all its lines are known (see `customers`:
//! a day that nets positive, or to zero without a return). In *ordered* mode each customer holds
//! one open day; a line of a later day closes it, so memory grows with customers, not with
//! customer-days. Exports nearly always arrive in date order (or grouped by customer), which is
//! all this needs. A line dated before its customer's open day cannot be placed: `add` says so,
//! and the caller folds the input again in *general* mode, which keeps every customer-day in a
//! hash map keyed by one integer and gives the same answer for any order.
//!
//! Every total is an integer sum, a min or a max, so the result does not depend on the order
//! the lines or the days are folded in.

use crate::analysis::customers::is_purchase_day;
use foldhash::fast::FixedState;
use std::collections::HashMap;

/// No day yet.
const NONE_LOW: i32 = i32::MIN;
const NONE_HIGH: i32 = i32::MAX;

/// One customer's running state: one cache line, as each line of a large export touches a
/// customer far from the last one's.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
pub struct Acc {
    /// The open day (ordered mode), `i32::MIN` before the first line.
    day: i32,
    pub last_line: i32,
    /// First and last purchase day: `i32::MAX` / `i32::MIN` without a purchase.
    pub first_purchase: i32,
    pub last_purchase: i32,
    pub purchases: u32,
    day_net: i64,
    day_min: i64,
    pub net: i64,
    /// The sum of the purchase days' values.
    pub purchase_cents: i64,
    /// The value of the first purchase day.
    pub first_purchase_cents: i64,
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            day: NONE_LOW,
            last_line: NONE_LOW,
            first_purchase: NONE_HIGH,
            last_purchase: NONE_LOW,
            purchases: 0,
            day_net: 0,
            day_min: 0,
            net: 0,
            purchase_cents: 0,
            first_purchase_cents: 0,
        }
    }
}

impl Acc {
    fn close(&mut self, day: i32, net: i64, smallest: i64) {
        if !is_purchase_day(Some(net), Some(smallest)) {
            return;
        }
        self.purchases += 1;
        self.purchase_cents = self.purchase_cents.wrapping_add(net);
        if day < self.first_purchase {
            self.first_purchase = day;
            self.first_purchase_cents = net;
        }
        self.last_purchase = self.last_purchase.max(day);
    }

    /// Closes the open day (ordered mode) and gives it, for the day log.
    fn close_open(&mut self, cost: i64) -> Day {
        let open = Day {
            net: self.day_net,
            smallest: self.day_min,
            cost,
        };
        self.close(self.day, open.net, open.smallest);
        open
    }

    pub fn has_purchase(&self) -> bool {
        self.purchases > 0
    }
}

/// One customer-day as the stage's day table holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Day {
    pub net: i64,
    pub smallest: i64,
    pub cost: i64,
}

/// The closed customer-days, when the caller asks for them (column by column).
#[derive(Debug, Default)]
pub struct DayLog {
    pub slot: Vec<u32>,
    pub day: Vec<i32>,
    pub net: Vec<i64>,
    pub smallest: Vec<i64>,
    pub cost: Vec<i64>,
}

impl DayLog {
    fn push(&mut self, slot: u32, day: i32, d: Day, costs: bool) {
        self.slot.push(slot);
        self.day.push(day);
        self.net.push(d.net);
        self.smallest.push(d.smallest);
        if costs {
            self.cost.push(d.cost);
        }
    }
}

/// A growing array in fixed chunks: it never moves what it holds, so growing costs no copy and
/// no second set of fresh pages (on the machines measured, fresh memory costs more than the
/// copy itself: about 3.5 s per GiB).
pub struct Chunks<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

const CHUNK_BITS: u32 = 16;
const CHUNK: usize = 1 << CHUNK_BITS;

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Chunks {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunks<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn push(&mut self, v: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks.last_mut().expect("a chunk").push(v);
        self.len += 1;
    }

    /// The address of element `i` (in range), for a prefetch.
    pub fn ptr(&self, i: usize) -> *const T {
        self.chunks[i >> CHUNK_BITS]
            .as_ptr()
            .wrapping_add(i & (CHUNK - 1))
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.chunks.iter_mut().flatten()
    }
}

impl<T> std::ops::Index<usize> for Chunks<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}

impl<T> std::ops::IndexMut<usize> for Chunks<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}

/// What the fold is asked to keep beside the per-customer totals.
#[derive(Clone, Copy, Debug, Default)]
pub struct Keep {
    pub costs: bool,
    pub quantities: bool,
    pub days: bool,
}

/// The running fold.
pub struct Fold {
    general: bool,
    keep: Keep,
    pub accs: Chunks<Acc>,
    /// Per customer, only when the input has costs or quantities: the total cost, the open
    /// day's cost (ordered mode) and the total quantity in thousandths.
    extra: Chunks<[i64; 3]>,
    /// General mode: every customer-day, keyed by customer code and day.
    map: HashMap<u64, Day, FixedState>,
    pub log: DayLog,
    /// The sum of every line's absolute value, to guard the integer sums.
    pub gross_abs: u128,
}

fn key(slot: u32, day: i32) -> u64 {
    (u64::from(slot) << 32) | u64::from(day as u32)
}

impl Fold {
    pub fn new(general: bool, keep: Keep) -> Self {
        Fold {
            general,
            keep,
            accs: Chunks::default(),
            extra: Chunks::default(),
            map: HashMap::with_hasher(FixedState::default()),
            log: DayLog::default(),
            gross_abs: 0,
        }
    }

    /// Asks the memory for the state of customer `slot` (a later row's), when it has one.
    pub fn prefetch(&self, slot: u32) {
        let s = slot as usize;
        if s < self.accs.len() {
            let p = self.accs.ptr(s);
            super::keys::prefetch(p);
        }
    }

    /// Adds one line of customer `slot` (codes are dense: a new one is the next). Returns false
    /// when ordered mode meets a day before the customer's open day; the fold is then unusable.
    pub fn add(&mut self, slot: u32, day: i32, cents: i64, cost: i64, milli: i64) -> bool {
        let s = slot as usize;
        let extra = self.keep.costs || self.keep.quantities;
        if s == self.accs.len() {
            self.accs.push(Acc::default());
            if extra {
                self.extra.push([0; 3]);
            }
        }
        self.gross_abs += u128::from(cents.unsigned_abs());
        let a = &mut self.accs[s];
        a.net = a.net.wrapping_add(cents);
        a.last_line = a.last_line.max(day);
        let mut none = [0i64; 3];
        let x = if extra { &mut self.extra[s] } else { &mut none };
        x[0] = x[0].wrapping_add(cost);
        x[2] = x[2].wrapping_add(milli);
        if self.general {
            let d = self.map.entry(key(slot, day)).or_insert(Day {
                net: 0,
                smallest: i64::MAX,
                cost: 0,
            });
            d.net = d.net.wrapping_add(cents);
            d.smallest = d.smallest.min(cents);
            d.cost = d.cost.wrapping_add(cost);
            return true;
        }
        if day == a.day {
            a.day_net = a.day_net.wrapping_add(cents);
            a.day_min = a.day_min.min(cents);
            x[1] = x[1].wrapping_add(cost);
        } else if day > a.day {
            if a.day != NONE_LOW {
                let open = a.close_open(x[1]);
                if self.keep.days {
                    self.log.push(slot, a.day, open, self.keep.costs);
                }
            }
            a.day = day;
            a.day_net = cents;
            a.day_min = cents;
            x[1] = cost;
        } else {
            return false;
        }
        true
    }

    /// Closes every open day; afterwards `accs` and `log` are final.
    pub fn finish(&mut self) {
        let costs = self.keep.costs;
        if self.general {
            let map = std::mem::take(&mut self.map);
            let mut days: Vec<(u64, Day)> = map.into_iter().collect();
            if self.keep.days {
                // The log in customer then day order, whatever order the input came in.
                days.sort_unstable_by_key(|&(k, _)| k);
            }
            for (k, d) in days {
                let (slot, day) = ((k >> 32) as u32, k as u32 as i32);
                self.accs[slot as usize].close(day, d.net, d.smallest);
                if self.keep.days {
                    self.log.push(slot, day, d, costs);
                }
            }
            return;
        }
        let extra = self.keep.costs || self.keep.quantities;
        for (s, a) in self.accs.iter_mut().enumerate() {
            if a.day == NONE_LOW {
                continue;
            }
            let open = a.close_open(if extra { self.extra[s][1] } else { 0 });
            if self.keep.days {
                self.log.push(s as u32, a.day, open, costs);
            }
        }
    }

    /// What the fold keeps beside the totals.
    pub fn keep(&self) -> Keep {
        self.keep
    }

    /// Per customer: the total cost in cents.
    pub fn costs(&self) -> Vec<i64> {
        self.extra.iter().map(|x| x[0]).collect()
    }

    /// Per customer: the total quantity in thousandths.
    pub fn quantities(&self) -> Vec<i64> {
        self.extra.iter().map(|x| x[2]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(general: bool, lines: &[(u32, i32, i64)]) -> Option<Fold> {
        let keep = Keep {
            costs: true,
            quantities: false,
            days: true,
        };
        let mut f = Fold::new(general, keep);
        for &(s, d, c) in lines {
            if !f.add(s, d, c, c / 2, 0) {
                return None;
            }
        }
        f.finish();
        Some(f)
    }

    #[test]
    fn days_close_when_a_later_day_comes() {
        let lines = [
            (0, 10, 500),
            (1, 10, -50),
            (0, 10, -500), // cancelled the same day: no purchase
            (0, 11, 300),
            (0, 12, 0), // zero-priced, no return: a purchase
            (1, 12, 70),
        ];
        let f = fold(false, &lines).unwrap();
        let a = f.accs[0];
        assert_eq!((a.net, a.purchases), (300, 2));
        assert_eq!((a.first_purchase, a.last_purchase), (11, 12));
        assert_eq!((a.purchase_cents, a.first_purchase_cents), (300, 300));
        assert_eq!(f.accs[1].purchases, 1);
        assert_eq!(f.costs(), vec![150, 10]);
        assert_eq!(f.log.slot.len(), 5);
        assert_eq!(f.gross_abs, 1420);
    }

    #[test]
    fn an_earlier_day_stops_ordered_mode_and_general_mode_agrees() {
        let lines = [(0, 12, 300), (0, 10, 500), (0, 12, -400), (0, 10, 1)];
        assert!(fold(false, &lines).is_none());
        let g = fold(true, &lines).unwrap();
        let a = g.accs[0];
        assert_eq!((a.net, a.purchases, a.first_purchase), (401, 1, 10));
        assert_eq!(a.last_line, 12);
        assert_eq!(g.log.day, vec![10, 12]);
        assert_eq!(g.log.net, vec![501, -100]);
        assert_eq!(g.log.cost, vec![250, -50]);
    }
}
