//! The headless report: one snapshot as JSON (a stable contract) or as a
//! readable table.

pub mod json;
pub mod table;

/// Rejected lines shown after a report (on stderr, beside the report):
/// the last `shown` the engine kept, each as `file:line: reason`, and how
/// many there were in all when that is more. A line's text can hold
/// terminal controls, so it is shown as the dashboard shows it.
pub fn rejected_lines<'a>(
    rejects: impl DoubleEndedIterator<Item = &'a crate::engine::Reject>,
    total: u64,
    shown: usize,
) -> Vec<String> {
    let mut last: Vec<String> = rejects
        .rev()
        .take(shown)
        .map(|r| {
            format!(
                "{}:{}: {}",
                crate::text::sanitize(&r.source),
                r.line,
                crate::text::sanitize(&r.reason)
            )
        })
        .collect();
    last.reverse();
    if total > last.len() as u64 {
        last.push(format!(
            "{} lines rejected in all, the last {} shown (--rejects FILE writes every one)",
            crate::format::thousands(total as i64),
            last.len()
        ));
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Reject;

    fn reject(line: u64, reason: &str) -> Reject {
        Reject {
            source: "feed.csv".into(),
            line,
            reason: reason.into(),
        }
    }

    #[test]
    fn rejected_lines_are_the_last_kept_then_the_count() {
        let kept = [
            reject(3, "bad ts"),
            reject(9, "bad \u{1b}[2J"),
            reject(12, "x"),
        ];
        assert_eq!(
            rejected_lines(kept.iter(), 3, 10),
            [
                "feed.csv:3: bad ts",
                "feed.csv:9: bad ␛[2J",
                "feed.csv:12: x"
            ]
        );
        assert_eq!(
            rejected_lines(kept.iter(), 1234, 2),
            [
                "feed.csv:9: bad ␛[2J",
                "feed.csv:12: x",
                "1,234 lines rejected in all, the last 2 shown (--rejects FILE writes every one)"
            ]
        );
        assert!(rejected_lines([].iter(), 0, 10).is_empty());
    }
}
