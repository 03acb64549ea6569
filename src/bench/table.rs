//! The benchmark's table, as Markdown: one row per operation, a column per
//! database size, the ratio of the largest size to the smallest, and the
//! bare SQLite baseline with the largest size's multiple of it.

use std::time::Duration;

/// One measured number.
#[derive(Clone, Copy, Debug)]
pub enum Cell {
    Time(Duration),
    Bytes(u64),
}

impl Cell {
    fn value(self) -> f64 {
        match self {
            Cell::Time(d) => d.as_secs_f64(),
            Cell::Bytes(b) => b as f64,
        }
    }

    fn text(self) -> String {
        match self {
            Cell::Time(d) => millis(d),
            Cell::Bytes(b) => format!("{:.1} MB", b as f64 / 1_000_000.0),
        }
    }
}

fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{ms:.3} ms")
    } else if ms < 100.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn ratio(top: f64, bottom: f64) -> String {
    if bottom > 0.0 {
        format!("{:.1}×", top / bottom)
    } else {
        "–".to_string()
    }
}

pub struct Table {
    sizes: Vec<usize>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(sizes: Vec<usize>) -> Table {
        Table {
            sizes,
            rows: Vec::new(),
        }
    }

    /// A row: its name, a cell per size (in the order of the sizes), and
    /// the bare baseline (what it is, its time) where one applies.
    pub fn row(&mut self, what: &str, cells: Vec<Cell>, bare: Option<(&str, Duration)>) {
        let mut row = vec![what.to_string()];
        row.extend(cells.iter().map(|c| c.text()));
        let first = cells.first().map_or(0.0, |c| c.value());
        let last = cells.last().map_or(0.0, |c| c.value());
        if self.sizes.len() > 1 {
            row.push(ratio(last, first));
        }
        match bare {
            Some((name, time)) => {
                row.push(format!("{name}: {}", millis(time)));
                row.push(ratio(last, time.as_secs_f64()));
            }
            None => {
                row.push("–".to_string());
                row.push("–".to_string());
            }
        }
        self.rows.push(row);
    }

    pub fn render(&self) -> String {
        let mut header = vec!["what".to_string()];
        header.extend(self.sizes.iter().map(|n| format!("{} runs", grouped(*n))));
        if self.sizes.len() > 1 {
            header.push("ratio".to_string());
        }
        header.push("bare SQLite, same run".to_string());
        header.push("× bare".to_string());
        let mut out = line(&header);
        out.push_str(&line(&vec!["---".to_string(); header.len()]));
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }
}

fn line(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

/// 100000 → "100,000".
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_shows_each_size_the_ratio_and_the_multiple_of_the_baseline() {
        let mut t = Table::new(vec![1_000, 100_000]);
        let ms = Duration::from_millis;
        t.row(
            "save",
            vec![Cell::Time(ms(2)), Cell::Time(ms(3))],
            Some(("txn", ms(1))),
        );
        t.row(
            "memory",
            vec![Cell::Bytes(20_000_000), Cell::Bytes(40_000_000)],
            None,
        );
        let text = t.render();
        assert!(
            text.starts_with("| what | 1,000 runs | 100,000 runs | ratio |"),
            "{text}"
        );
        assert!(
            text.contains("| save | 2.00 ms | 3.00 ms | 1.5× | txn: 1.00 ms | 3.0× |"),
            "{text}"
        );
        assert!(
            text.contains("| memory | 20.0 MB | 40.0 MB | 2.0× | – | – |"),
            "{text}"
        );
    }

    #[test]
    fn one_size_has_no_ratio_column() {
        let mut t = Table::new(vec![500]);
        t.row("board", vec![Cell::Time(Duration::from_micros(250))], None);
        let text = t.render();
        assert!(
            text.starts_with("| what | 500 runs | bare SQLite"),
            "{text}"
        );
        assert!(text.contains("| board | 0.250 ms | – | – |"), "{text}");
    }
}
