//! `:name` placeholders → `$1…$n`, with the bind order recorded.
//!
//! Written by hand because it is small and must know SQL's lexical corners: string literals
//! (`'it''s'`), quoted identifiers, `--` and `/* */` comments, and Postgres `::` casts are not
//! placeholders. A placeholder used twice gets the same number, which both backends accept.

use super::header::ParamType;

#[derive(Debug, Clone, Default)]
pub struct CompiledSql {
    /// The facts SELECT with `$n` placeholders.
    pub text: String,
    /// Parameter names in `$1…$n` order.
    pub order: Vec<String>,
}

/// Compiles `sql`; on error returns (line, column, message) relative to `sql`.
pub fn compile_named_params(
    sql: &str,
    declared: &[(String, ParamType)],
) -> Result<CompiledSql, (usize, usize, String)> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut order: Vec<String> = Vec::new();
    let mut i = 0;
    let position = |at: usize| {
        let before = &sql[..at];
        let line = before.matches('\n').count() + 1;
        let column = at - before.rfind('\n').map(|p| p + 1).unwrap_or(0) + 1;
        (line, column)
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' => {
                let end = find_closing(bytes, i + 1, c).ok_or_else(|| {
                    let (l, col) = position(i);
                    (l, col, "unterminated quote".to_string())
                })?;
                out.push_str(&sql[i..=end]);
                i = end + 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = sql[i..].find('\n').map(|p| i + p).unwrap_or(bytes.len());
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = sql[i + 2..]
                    .find("*/")
                    .map(|p| i + 2 + p + 2)
                    .ok_or_else(|| {
                        let (l, col) = position(i);
                        (l, col, "unterminated /* comment".to_string())
                    })?;
                out.push_str(&sql[i..end]);
                i = end;
            }
            b':' if bytes.get(i + 1) == Some(&b':') => {
                out.push_str("::");
                i += 2;
            }
            b':' if bytes
                .get(i + 1)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') =>
            {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                let name = &sql[start..end];
                if !declared.iter().any(|(n, _)| n == name) {
                    let (l, col) = position(i);
                    let known: Vec<_> = declared.iter().map(|(n, _)| format!(":{n}")).collect();
                    return Err((
                        l,
                        col,
                        format!(
                            "unknown parameter :{name}: declare it in `-- params:` or use one of {}",
                            known.join(", ")
                        ),
                    ));
                }
                let number = match order.iter().position(|n| n == name) {
                    Some(p) => p + 1,
                    None => {
                        order.push(name.to_string());
                        order.len()
                    }
                };
                out.push('$');
                out.push_str(&number.to_string());
                i = end;
            }
            b'$' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let (l, col) = position(i);
                return Err((
                    l,
                    col,
                    "positional placeholder: write :from, :to, … instead of $n".to_string(),
                ));
            }
            b'?' => {
                let (l, col) = position(i);
                return Err((
                    l,
                    col,
                    "`?` placeholder: write :from, :to, … instead".to_string(),
                ));
            }
            _ => {
                let ch = sql[i..].chars().next().expect("in bounds");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    Ok(CompiledSql { text: out, order })
}

fn find_closing(bytes: &[u8], mut i: usize, quote: u8) -> Option<usize> {
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2; // doubled quote inside the literal
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared() -> Vec<(String, ParamType)> {
        vec![
            ("from".into(), ParamType::Date),
            ("to".into(), ParamType::Date),
        ]
    }

    #[test]
    fn placeholders_are_numbered_in_first_use_order_and_reused() {
        let c = compile_named_params(
            "SELECT x::text FROM t WHERE d BETWEEN :from AND :to OR e = :from",
            &declared(),
        )
        .unwrap();
        assert_eq!(
            c.text,
            "SELECT x::text FROM t WHERE d BETWEEN $1 AND $2 OR e = $1"
        );
        assert_eq!(c.order, vec!["from", "to"]);
    }

    #[test]
    fn strings_and_comments_are_not_placeholders() {
        let c = compile_named_params(
            "SELECT ':nope', 'it''s :x' -- :y\nFROM t /* :z */ WHERE a = :to",
            &declared(),
        )
        .unwrap();
        assert_eq!(c.order, vec!["to"]);
        assert!(c.text.ends_with("a = $1"));
    }

    #[test]
    fn an_unknown_parameter_is_located() {
        let (line, column, message) =
            compile_named_params("SELECT 1\nFROM t WHERE c = :chanel", &declared()).unwrap_err();
        assert_eq!((line, column), (2, 18));
        assert!(message.contains(":chanel"), "{message}");
    }

    #[test]
    fn positional_placeholders_are_refused() {
        assert!(compile_named_params("SELECT $1", &declared()).is_err());
        assert!(compile_named_params("SELECT ?", &declared()).is_err());
    }
}
