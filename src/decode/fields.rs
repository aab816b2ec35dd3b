//! Canonical field names and the `--map` renaming of foreign columns onto them.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Ts,
    Kind,
    Creator,
    User,
    Nickname,
    Item,
    Qty,
    Diamonds,
    Amount,
    Currency,
    OrderId,
    Status,
    EventId,
}

pub const FIELD_COUNT: usize = 13;

impl Field {
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::Ts,
        Field::Kind,
        Field::Creator,
        Field::User,
        Field::Nickname,
        Field::Item,
        Field::Qty,
        Field::Diamonds,
        Field::Amount,
        Field::Currency,
        Field::OrderId,
        Field::Status,
        Field::EventId,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Ts => "ts",
            Field::Kind => "kind",
            Field::Creator => "creator",
            Field::User => "user",
            Field::Nickname => "nickname",
            Field::Item => "item",
            Field::Qty => "qty",
            Field::Diamonds => "diamonds",
            Field::Amount => "amount",
            Field::Currency => "currency",
            Field::OrderId => "order_id",
            Field::Status => "status",
            Field::EventId => "event_id",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        let s = s.trim();
        Field::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }
}

/// Where each canonical field is read from: its own name unless `--map` says otherwise.
/// A constant kind (`--kind order`) fills `kind` when the input has none.
#[derive(Debug, Clone, Default)]
pub struct FieldMap {
    renamed: HashMap<Field, String>,
    pub constant_kind: Option<String>,
    /// Which canonical records keep their `nickname`.
    pub nicknames: Nicknames,
}

/// Only the dashboard's ticker shows a nickname (of a big gift's sender or
/// a buyer), and copying every record's was ~4% of the reading thread on
/// the bench CSV: the report reads none, the dashboard those it may show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Nicknames {
    #[default]
    All,
    /// Orders' and gifts' of at least `big_gift` diamonds (`--big-gift`).
    Notable {
        big_gift: i64,
    },
    None,
}

impl FieldMap {
    /// Parse `ts=created_at,user=customer_id` (comma separated `field=source`).
    pub fn parse(spec: &str) -> Result<FieldMap, String> {
        let mut map = FieldMap::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (f, src) = part
                .split_once('=')
                .ok_or_else(|| format!("--map entry {part:?} is not field=source"))?;
            let field = Field::parse(f).ok_or_else(|| {
                let names: Vec<_> = Field::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "--map: unknown field {f:?}; fields are {}",
                    names.join(", ")
                )
            })?;
            let src = src.trim();
            if src.is_empty() {
                return Err(format!("--map entry {part:?} has an empty source name"));
            }
            map.renamed.insert(field, src.to_string());
        }
        Ok(map)
    }

    pub fn is_empty(&self) -> bool {
        self.renamed.is_empty() && self.constant_kind.is_none()
    }

    /// The column or key (dotted path for nested JSON) a field is read from.
    pub fn source_of(&self, f: Field) -> &str {
        self.renamed.get(&f).map(String::as_str).unwrap_or(f.name())
    }

    /// Which field a CSV column header feeds, if any.
    pub fn field_for_header(&self, header: &str) -> Option<Field> {
        let h = header.trim();
        if let Some((f, _)) = self
            .renamed
            .iter()
            .find(|(_, src)| src.eq_ignore_ascii_case(h))
        {
            return Some(*f);
        }
        Field::parse(h).filter(|f| !self.renamed.contains_key(f))
    }
}

/// Where a record's canonical fields are read from when an event is built.
pub trait Fields {
    /// Non-blank value of a field, trimmed.
    fn get(&self, f: Field) -> Option<&str>;
}

/// The raw text of each canonical field for one record, borrowed from the
/// line where it can be (CSV) so decoding allocates only what the event keeps.
#[derive(Debug, Default)]
pub struct RawFields<'a> {
    vals: [Option<std::borrow::Cow<'a, str>>; FIELD_COUNT],
}

impl<'a> RawFields<'a> {
    pub fn set(&mut self, f: Field, v: impl Into<std::borrow::Cow<'a, str>>) {
        self.vals[f as usize] = Some(v.into());
    }

    /// Whether a field has a value at all, blank or not.
    pub fn is_set(&self, f: Field) -> bool {
        self.vals[f as usize].is_some()
    }

    /// Non-blank value of a field.
    pub fn get(&self, f: Field) -> Option<&str> {
        self.vals[f as usize]
            .as_deref()
            .map(trim)
            .filter(|s| !s.is_empty())
    }
}

impl Fields for RawFields<'_> {
    fn get(&self, f: Field) -> Option<&str> {
        RawFields::get(self, f)
    }
}

/// `str::trim`, answered at once when both ends are printable ASCII (the
/// usual field): neither can be whitespace then. Otherwise only the end
/// characters are looked at before `str::trim` is asked: a name that
/// begins or ends in other scripts (`さくら`, `Marco💖`) rarely has
/// whitespace to trim, and `str::trim`'s generic search cost ~100
/// instructions a line on the bench CSV.
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        // a blank field (4-8 a line on the bench CSV): nothing to trim
        (None, _) => s,
        _ => trim_ends(s),
    }
}

/// Out of line: with this inlined into every field read the reader's
/// thread was slower (2M CSV lines, reader alone: 0.66 vs 0.63 s); out of
/// line it is as fast as before this check (0.62 vs 0.62 s).
#[inline(never)]
fn trim_ends(s: &str) -> &str {
    let mut chars = s.chars();
    let first = chars.next().is_some_and(char::is_whitespace);
    let last = chars.next_back().is_some_and(char::is_whitespace);
    if first || last { s.trim() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "u1",
            "\u{a0}x\u{a0}",
            "x\u{2003}",
            "é",
            " é ",
            "a b",
            "さくら975",
            "さくら",
            "Marco💖",
            "💖",
            "\u{3000}さくら",
            "さくら\u{3000}",
            "\u{1}x\u{7f}",
            "é\u{85}",
            "\u{2028}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn map_renames_and_hides_the_original_name() {
        let m = FieldMap::parse("ts=created_at, user=customer_id,amount=total").unwrap();
        assert_eq!(m.field_for_header("created_at"), Some(Field::Ts));
        assert_eq!(m.field_for_header("ts"), None);
        assert_eq!(m.field_for_header("Currency"), Some(Field::Currency));
        assert_eq!(m.source_of(Field::Amount), "total");
        assert!(
            FieldMap::parse("when=x")
                .unwrap_err()
                .contains("unknown field")
        );
        assert!(FieldMap::parse("ts").is_err());
    }
}
