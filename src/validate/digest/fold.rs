//! Repeats folded: after the first few items of one kind, a single "… and N more like this".

use super::item::Item;
use std::collections::HashMap;

/// Items of one kind shown before the rest are folded.
const SHOWN_PER_KIND: usize = 3;
/// Labels of folded items listed in the fold note.
const LABELS_LISTED: usize = 5;

struct Group {
    shown: usize,
    /// Index in the output of the last shown item, which carries the note.
    last: usize,
    folded: usize,
    labels: Vec<String>,
}

/// `items` (in display order) with repeats beyond the first few removed and counted on the
/// last one shown.
pub fn fold(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len().min(1024));
    let mut groups: HashMap<String, Group> = HashMap::new();
    for item in items {
        let Some(key) = item.fold_key.clone() else {
            out.push(item);
            continue;
        };
        let group = groups.entry(key).or_insert(Group {
            shown: 0,
            last: 0,
            folded: 0,
            labels: Vec::new(),
        });
        if group.shown < SHOWN_PER_KIND {
            group.shown += 1;
            group.last = out.len();
            out.push(item);
        } else {
            group.folded += 1;
            if group.labels.len() < LABELS_LISTED && !item.label.is_empty() {
                group.labels.push(item.label);
            }
        }
    }
    for group in groups.values().filter(|g| g.folded > 0) {
        let mut note = format!("… and {} more like this", group.folded);
        if !group.labels.is_empty() {
            note.push_str(": ");
            note.push_str(&group.labels.join(", "));
            if group.folded > group.labels.len() {
                note.push_str(", …");
            }
        }
        if let Some(last) = out.get_mut(group.last) {
            last.text.push('\n');
            last.text.push_str(&note);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::digest::item::Severity;

    fn item(key: &str, label: &str) -> Item {
        Item {
            text: format!("{label}: {key}"),
            lines: 0..1,
            severity: Severity::Error,
            fold_key: Some(key.to_string()),
            label: label.to_string(),
        }
    }

    #[test]
    fn keeps_the_first_of_each_kind_and_counts_the_rest() {
        let mut items: Vec<Item> = (0..40)
            .map(|i| item("F401", &format!("a.py:{i}")))
            .collect();
        items.insert(1, item("E302", "b.py:1"));
        let out = fold(items);
        let texts: Vec<&str> = out.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts.len(), 4);
        assert_eq!(texts[1], "b.py:1: E302");
        assert_eq!(
            texts[3],
            "a.py:2: F401\n… and 37 more like this: a.py:3, a.py:4, a.py:5, a.py:6, a.py:7, …"
        );
    }

    #[test]
    fn items_without_a_kind_are_never_folded() {
        let items: Vec<Item> = (0..10)
            .map(|i| Item {
                fold_key: None,
                ..item("x", &i.to_string())
            })
            .collect();
        assert_eq!(fold(items).len(), 10);
    }
}
