//! Bounded undo/redo history of whole-document snapshots. Every edit pushes the state before
//! it; undo swaps the current state with the last pushed one. Pure and generic, so it is tested
//! natively with integers.

use std::collections::VecDeque;

/// Undo and redo stacks.
#[derive(Clone, Debug)]
pub struct History<T> {
    past: VecDeque<T>,
    future: Vec<T>,
    limit: usize,
}

impl<T> History<T> {
    /// A history keeping at most `limit` undo steps (the oldest are dropped).
    pub fn new(limit: usize) -> Self {
        History { past: VecDeque::new(), future: Vec::new(), limit: limit.max(1) }
    }
    /// Records the state before an edit; clears redo.
    pub fn record(&mut self, before: T) {
        if self.past.len() == self.limit {
            self.past.pop_front();
        }
        self.past.push_back(before);
        self.future.clear();
    }
    /// The state to go back to, given the current one (which becomes redoable); `None` when
    /// there is nothing to undo (`current` stays where it is).
    pub fn undo(&mut self, current: T) -> Option<T> {
        let prev = self.past.pop_back()?;
        self.future.push(current);
        Some(prev)
    }
    /// The state to go forward to, given the current one; `None` when there is nothing to redo.
    pub fn redo(&mut self, current: T) -> Option<T> {
        let next = self.future.pop()?;
        self.past.push_back(current);
        Some(next)
    }
    /// Whether undo would do something.
    pub fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }
    /// Whether redo would do something.
    pub fn can_redo(&self) -> bool {
        !self.future.is_empty()
    }
    /// Forgets everything (a different document was opened).
    pub fn clear(&mut self) {
        self.past.clear();
        self.future.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_redo_and_branching() {
        let mut h = History::new(10);
        let mut state = 0;
        for next in 1..=3 {
            h.record(state);
            state = next;
        }
        state = h.undo(state).unwrap();
        assert_eq!(state, 2);
        state = h.undo(state).unwrap();
        assert_eq!(state, 1);
        state = h.redo(state).unwrap();
        assert_eq!(state, 2);
        // A new edit drops the redo branch.
        h.record(state);
        state = 7;
        assert!(!h.can_redo());
        assert_eq!(h.redo(state), None);
        state = h.undo(state).unwrap();
        assert_eq!(state, 2);
    }

    #[test]
    fn bounded() {
        let mut h = History::new(3);
        let mut state = 0;
        for next in 1..=10 {
            h.record(state);
            state = next;
        }
        let mut steps = 0;
        while let Some(s) = h.undo(state) {
            state = s;
            steps += 1;
        }
        assert_eq!(steps, 3);
        assert_eq!(state, 7);
    }
}
