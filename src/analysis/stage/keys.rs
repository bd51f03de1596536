//! Dense integer codes for the stage's keys (a customer id, or a group and a customer id): each
//! distinct key gets the next code, in the order first seen. The keys' bytes live in one arena,
//! so a customer costs its id's bytes plus about 40 bytes, not an allocation of its own.
//!
//! The table is open addressing with linear probing, because a batch of lookups is then a
//! batch of addresses known in advance: `prefetch` asks the memory for the slot of a later row
//! while this one is looked up. With a million customers every lookup would otherwise wait
//! for memory in turn.

use foldhash::fast::FixedState;
use std::hash::BuildHasher;

/// A key as the table holds it: up to 11 bytes inline (the last byte is the length), so that
/// most lookups never touch the arena; a longer key as its hash, its first 3 bytes and the
/// marker `LONG`, compared with the arena on a match.
type Word = [u8; 12];
const LONG: u8 = 0xFF;
const EMPTY: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Slot {
    word: Word,
    code: u32,
}

const FREE: Slot = Slot {
    word: [0; 12],
    code: EMPTY,
};

fn pack(key: &[u8], hash: u64) -> Word {
    let mut w = [0u8; 12];
    if key.len() <= 11 {
        w[..key.len()].copy_from_slice(key);
        w[11] = key.len() as u8;
    } else {
        w[..8].copy_from_slice(&hash.to_le_bytes());
        w[8..11].copy_from_slice(&key[..3]);
        w[11] = LONG;
    }
    w
}

/// The hash of a key, for `Keys::prefetch` and `Keys::code` (the same in every thread).
pub fn hash(key: &[u8]) -> u64 {
    FixedState::default().hash_one(key)
}

/// The interned keys.
pub struct Keys {
    slots: Vec<Slot>,
    bytes: Vec<u8>,
    /// `ends[i]` is where key `i` ends in `bytes`; it starts where key `i - 1` ends.
    ends: Vec<usize>,
}

impl Default for Keys {
    fn default() -> Self {
        Keys {
            slots: vec![FREE; 1024],
            bytes: Vec::new(),
            ends: Vec::new(),
        }
    }
}

impl Keys {
    /// Asks the memory for the slot a key of this hash starts its search at.
    pub fn prefetch(&self, hash: u64) {
        let at = hash as usize & (self.slots.len() - 1);
        prefetch(self.slots.as_ptr().wrapping_add(at));
    }

    /// The code of `key` (whose hash is `hash`), giving it the next one when it is new.
    pub fn code(&mut self, key: &[u8], hash: u64) -> u32 {
        let word = pack(key, hash);
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let s = self.slots[at];
            if s.code == EMPTY {
                break;
            }
            if s.word == word && (word[11] != LONG || self.get(s.code) == key) {
                return s.code;
            }
            at = (at + 1) & mask;
        }
        let next = self.ends.len() as u32;
        self.slots[at] = Slot { word, code: next };
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len());
        if self.ends.len() * 4 > self.slots.len() * 3 {
            self.grow();
        }
        next
    }

    /// Doubles the table, placing every key again.
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![FREE; size]);
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.code != EMPTY) {
            let hash = match s.word[11] {
                LONG => u64::from_le_bytes(s.word[..8].try_into().expect("8 bytes")),
                n => hash(&s.word[..n as usize]),
            };
            let mut at = hash as usize & mask;
            while self.slots[at].code != EMPTY {
                at = (at + 1) & mask;
            }
            self.slots[at] = s;
        }
    }

    /// The bytes of key `i`.
    pub fn get(&self, i: u32) -> &[u8] {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// Drops the lookup table once every key has its code (the codes and bytes stay).
    pub fn seal(&mut self) {
        self.slots = Vec::new();
    }

    /// How many distinct keys there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }
}

/// A hint to bring the cache line at `p` in; never dereferences it.
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint; it does not fault, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(k: &mut Keys, key: &[u8]) -> u32 {
        let h = hash(key);
        k.code(key, h)
    }

    #[test]
    fn codes_are_dense_and_stable() {
        let mut k = Keys::default();
        assert_eq!(code(&mut k, b"b"), 0);
        assert_eq!(code(&mut k, b"a"), 1);
        assert_eq!(code(&mut k, b"b"), 0);
        assert_eq!(code(&mut k, b""), 2);
        for i in 0..10_000u32 {
            code(&mut k, format!("c{i}").as_bytes());
        }
        assert_eq!(code(&mut k, b"c9999"), 10_002);
        // Long keys (beyond the 11 inline bytes) that share their first bytes.
        let long = |i: u32| format!("customer-{i:08}@example.com");
        let first = code(&mut k, long(1).as_bytes());
        assert_eq!(code(&mut k, long(2).as_bytes()), first + 1);
        assert_eq!(code(&mut k, long(1).as_bytes()), first);
        assert_eq!(k.get(first + 1), long(2).as_bytes());
        assert_eq!(k.get(1), b"a");
        assert_eq!(k.get(2), b"");
        assert_eq!(k.len(), 10_005);
    }
}
