//! Small pieces of HTML written here for the page to place as they are (a study's body): text
//! is escaped, and only fixed markup is written around it.

use crate::charts::{Chart, PALETTE};
use crate::drill::Section;
use crate::study::Replay;

/// `text` with `&`, `<`, `>` and quotes escaped, safe inside an element or a quoted attribute,
/// and control characters other than newline and tab left out (XML does not allow them): for
/// HTML here, and for the page's SVG export.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A button that plays `r` as the live run: `data-replay` is its row, and the replay's fields
/// are `data-label`, `data-design` (the document's JSON), `data-experiment` (empty: none),
/// `data-seed` and `data-duration-s`.
fn replay_button(n: u32, r: &Replay) -> String {
    format!(
        "<button class=\"btn btn-small\" data-replay=\"{n}\" data-testid=\"study-replay-{n}\" data-label=\"{}\" data-design=\"{}\" data-experiment=\"{}\" data-seed=\"{}\" data-duration-s=\"{}\" title=\"Play this run live: the same design, seed and disruption\">▶ Replay</button>",
        escape(&r.label),
        escape(&r.design),
        escape(r.experiment.as_deref().unwrap_or_default()),
        r.seed,
        r.duration_s
    )
}

/// How a study's marked rows read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marked {
    /// A difference between A and B (highlighted).
    Differs,
    /// A row that misses the objective (red).
    Misses,
}

fn section(s: &Section, marked: Marked, replays: &[Replay]) -> String {
    let mut out = format!(
        "<section class=\"study-sec{}\" data-testid=\"study-{}\"><h4>{}</h4>",
        if s.bad { " study-bad" } else { "" },
        escape(&s.key),
        escape(&s.title)
    );
    let mark = match marked {
        Marked::Differs => " class=\"study-differs\"",
        Marked::Misses => " class=\"study-misses\"",
    };
    if let Some(t) = &s.table {
        let with_actions = t.actions.iter().any(Option::is_some);
        out.push_str("<table class=\"run-table study-table\"><thead><tr>");
        for h in &t.head {
            out.push_str(&format!("<th>{}</th>", escape(h)));
        }
        if with_actions {
            out.push_str("<th></th>");
        }
        out.push_str("</tr></thead><tbody>");
        for (i, (cells, marked)) in t.rows.iter().enumerate() {
            out.push_str(&format!("<tr{} data-marked=\"{marked}\">", if *marked { mark } else { "" }));
            for c in cells {
                out.push_str(&format!("<td>{}</td>", escape(c)));
            }
            if let Some((n, r)) = t.actions.get(i).copied().flatten().and_then(|n| Some((n, replays.get(n as usize)?)))
            {
                out.push_str(&format!("<td>{}</td>", replay_button(n, r)));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
    }
    for l in &s.lines {
        out.push_str(&format!("<p class=\"study-line\">{}</p>", escape(l)));
    }
    out.push_str("</section>");
    out
}

fn chart(c: &Chart) -> String {
    let keys: String = c
        .data
        .lines
        .iter()
        .map(|l| {
            let (r, g, b) = PALETTE[l.color as usize % PALETTE.len()];
            format!("<span class=\"chart-key\"><i style=\"background:rgb({r},{g},{b})\"></i>{}</span>", escape(&l.name))
        })
        .collect();
    // The SVG is plotters' own output from figures and names escaped by its backend.
    format!(
        "<figure class=\"chart\" data-testid=\"study-chart-{:?}\"><figcaption><span class=\"chart-title\">{}</span><span class=\"chart-legend\">{keys}</span></figcaption><div class=\"chart-plot\">{}</div></figure>",
        c.data.kind,
        escape(c.data.kind.title()),
        c.svg
    )
}

/// A study's body: its sections (marked rows read as `marked`; a row with an action offers
/// `replays` of that index), then its charts (a chart that could not be drawn says why).
pub fn body(sections: &[Section], marked: Marked, charts: &[Result<Chart, String>], replays: &[Replay]) -> String {
    let mut out: String = sections.iter().map(|s| section(s, marked, replays)).collect();
    if !charts.is_empty() {
        out.push_str("<div class=\"charts-grid\">");
        for c in charts {
            match c {
                Ok(c) => out.push_str(&chart(c)),
                Err(why) => {
                    out.push_str(&format!("<p class=\"run-problem\">A chart could not be drawn: {}</p>", escape(why)))
                }
            }
        }
        out.push_str("</div>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::Table;

    #[test]
    fn text_is_escaped_and_rows_offer_their_replay() {
        assert_eq!(escape(r#"<b a="1">'&'</b>"#), "&lt;b a=&quot;1&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;");
        assert_eq!(escape("a\u{1}b\nc\td"), "ab\nc\td");
        let s = Section {
            key: "az".into(),
            title: "AZ <x>".into(),
            lines: vec!["RPO & more".into()],
            table: Some(Table {
                head: vec!["disruption".into()],
                rows: vec![(vec!["<script>".into()], true), (vec!["b".into()], false)],
                actions: vec![Some(3), None],
            }),
            folded: false,
            bad: true,
        };
        let replay = |label: &str| Replay {
            label: label.into(),
            design: r#"{"name":"a <b>"}"#.into(),
            experiment: None,
            seed: 7,
            duration_s: 900.0,
        };
        let replays: Vec<Replay> = (0..4).map(|i| replay(&format!("row {i}"))).collect();
        let html = body(&[s], Marked::Misses, &[Err("no <room>".into())], &replays);
        assert!(html.contains("<h4>AZ &lt;x&gt;</h4>"), "{html}");
        assert!(html.contains("<td>&lt;script&gt;</td>") && !html.contains("<script>"), "{html}");
        assert!(html.contains("data-replay=\"3\""));
        assert!(html.contains("data-label=\"row 3\""), "the row's own replay");
        assert!(html.contains("data-design=\"{&quot;name&quot;:&quot;a &lt;b&gt;&quot;}\""), "{html}");
        assert!(html.contains("data-experiment=\"\" data-seed=\"7\" data-duration-s=\"900\""));
        assert_eq!(html.matches("data-replay").count(), 1, "only the row with an action");
        assert!(html.contains("<tr class=\"study-misses\" data-marked=\"true\">"));
        assert!(html.contains("<tr data-marked=\"false\">"));
        assert!(html.contains("RPO &amp; more") && html.contains("no &lt;room&gt;"));
    }
}
