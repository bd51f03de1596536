//! One way to say things: every summary (`classify`, `rfm`, `clv` and `churn` with `--summary`,
//! and the sections of `tier report`) is a JSON document for machines and titled tables for
//! people, written through one path per format: JSON (the document), NDJSON (one compact line
//! per item), a table (the titled tables), CSV/TSV/Parquet (the document as `metric,value` rows
//! with dotted keys), a workbook (a sheet per table) and HTML (the titled tables).

use crate::render::{self, Format};
use anyhow::Result;
use polars::prelude::*;
use std::io::Write;

/// A summary in both of its forms.
pub struct Summary {
    /// The document: what JSON prints and what CSV flattens.
    pub doc: serde_json::Value,
    /// One JSON value per NDJSON line (by default the document itself).
    pub lines: Vec<serde_json::Value>,
    /// Titled tables, in reading order.
    pub sections: Vec<(String, DataFrame)>,
}

impl Summary {
    /// A summary whose NDJSON form is the document on one line.
    pub fn new(doc: serde_json::Value, sections: Vec<(String, DataFrame)>) -> Summary {
        Summary {
            lines: vec![doc.clone()],
            doc,
            sections,
        }
    }

    /// Writes the summary in `format`.
    pub fn write(&self, format: Format, w: &mut dyn Write) -> Result<()> {
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *w, &self.doc)?;
                writeln!(w)?;
                Ok(())
            }
            Format::Ndjson => {
                for line in &self.lines {
                    writeln!(w, "{}", serde_json::to_string(line)?)?;
                }
                Ok(())
            }
            Format::Table => render::sections(&mut self.sections.clone(), w),
            Format::Xlsx => {
                let sheets: Vec<(&str, &DataFrame)> =
                    self.sections.iter().map(|(t, d)| (t.as_str(), d)).collect();
                crate::xlsx::write(&sheets, w)
            }
            _ => render::frame(&mut metrics(&self.doc)?, format, w),
        }
    }

    /// The titled tables as HTML, for the report.
    pub fn html(&self) -> String {
        self.sections
            .iter()
            .map(|(title, df)| {
                format!(
                    "<h3>{}</h3>\n{}",
                    render::html_escape(title),
                    render::html_table(df)
                )
            })
            .collect()
    }
}

/// A document as `metric,value` rows with dotted keys: object fields by name, array items by
/// their label (the value of their first field, when it is text: `abc.A.customers`) or else by
/// position (`lorenz.3.value_share`).
pub fn metrics(v: &serde_json::Value) -> PolarsResult<DataFrame> {
    use serde_json::Value;
    fn label(item: &Value, i: usize) -> String {
        match item.as_object().and_then(|o| o.values().next()) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => i.to_string(),
        }
    }
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        let key = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| walk(&key(k), v, out)),
            Value::Array(a) => {
                let labels: Vec<String> = a.iter().enumerate().map(|(i, x)| label(x, i)).collect();
                let unique = {
                    let mut l = labels.clone();
                    l.sort();
                    l.dedup();
                    l.len() == labels.len()
                };
                for (i, item) in a.iter().enumerate() {
                    let name = if unique {
                        labels[i].clone()
                    } else {
                        i.to_string()
                    };
                    walk(&key(&name), item, out);
                }
            }
            leaf => out.push((prefix.to_string(), crate::render::leaf_text(prefix, leaf))),
        }
    }
    let mut rows = Vec::new();
    walk("", v, &mut rows);
    let (k, v): (Vec<String>, Vec<String>) = rows.into_iter().unzip();
    df!("metric" => k, "value" => v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_flatten_by_label_or_position() {
        let doc = serde_json::json!({
            "customers": 3,
            "abc": [{"class": "A", "customers": 1}, {"class": "B", "customers": 2}],
            "lorenz": [{"x": 0.0}, {"x": 1.0}],
            "note": null,
        });
        let m = metrics(&doc).unwrap();
        let keys: Vec<&str> = m
            .column("metric")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(
            keys,
            [
                "customers",
                "abc.A.class",
                "abc.A.customers",
                "abc.B.class",
                "abc.B.customers",
                "lorenz.0.x",
                "lorenz.1.x",
                "note"
            ]
        );
    }

    #[test]
    fn one_summary_in_every_format() {
        let s = Summary::new(
            serde_json::json!({"n": 1}),
            vec![("Counts".into(), df!("n" => [1i64]).unwrap())],
        );
        let text = |f: Format| {
            let mut buf = Vec::new();
            s.write(f, &mut buf).unwrap();
            String::from_utf8(buf).unwrap()
        };
        assert_eq!(text(Format::Csv), "metric,value\nn,1\n");
        assert_eq!(text(Format::Ndjson), "{\"n\":1}\n");
        assert!(text(Format::Table).starts_with("Counts\n"));
        assert!(s.html().contains("<h3>Counts</h3>"));
    }
}
