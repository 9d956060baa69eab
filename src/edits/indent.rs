//! Keeping the file's own indentation when a model quoted it differently: a constant shift when
//! both use the same character, a unit conversion when one uses tabs and the other spaces.

/// How to turn the indentation of a line the model wrote into the file's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reindent {
    /// Each indentation the model wrote, as the file has it (model's, file's), longest first.
    Map(Vec<(String, String)>),
    /// The model wrote `width` spaces per level where the file has a tab.
    SpacesToTabs { width: usize, offset: isize },
    /// The model wrote a tab per level where the file has `width` spaces.
    TabsToSpaces { width: usize, offset: isize },
}

fn indent_of(s: &str) -> &str {
    &s[..s.len() - s.trim_start().len()]
}

/// The reindentation that maps the model's SEARCH lines onto the file lines they matched
/// (`pairs` of file line, SEARCH line; blank lines are ignored).
pub(super) fn plan(pairs: &[(&str, &str)]) -> Reindent {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(f, s)| !f.trim().is_empty() && !s.trim().is_empty())
        .map(|(f, s)| (indent_of(f), indent_of(s)))
        .collect();
    let file_tabs = pairs.iter().any(|(f, _)| f.contains('\t'));
    let file_spaces = pairs.iter().any(|(f, _)| f.contains(' '));
    let model_tabs = pairs.iter().any(|(_, s)| s.contains('\t'));
    let model_spaces = pairs.iter().any(|(_, s)| s.contains(' '));
    let tabs = |s: &str| s.chars().filter(|c| *c == '\t').count();
    if file_tabs && !model_tabs && model_spaces {
        let width = pairs
            .iter()
            .find(|(f, s)| tabs(f) > 0 && s.len() % tabs(f) == 0 && !s.is_empty())
            .map_or(4, |(f, s)| s.len() / tabs(f));
        let (f, s) = pairs[0];
        let offset = tabs(f) as isize - (s.len() / width.max(1)) as isize;
        return Reindent::SpacesToTabs {
            width: width.max(1),
            offset,
        };
    }
    if model_tabs && !file_tabs && file_spaces {
        let width = pairs
            .iter()
            .find(|(f, s)| tabs(s) > 0 && f.len() % tabs(s) == 0 && !f.is_empty())
            .map_or(4, |(f, s)| f.len() / tabs(s));
        let (f, s) = pairs[0];
        let offset = (f.len() / width.max(1)) as isize - tabs(s) as isize;
        return Reindent::TabsToSpaces {
            width: width.max(1),
            offset,
        };
    }
    let mut map: Vec<(String, String)> = Vec::new();
    for (f, s) in &pairs {
        if !map.iter().any(|(m, _)| m == s) {
            map.push((s.to_string(), f.to_string()));
        }
    }
    map.sort_by_key(|m| std::cmp::Reverse(m.0.len()));
    Reindent::Map(map)
}

impl Reindent {
    /// `line` (no line ending) in the file's indentation.
    pub(super) fn apply(&self, line: &str) -> String {
        if line.trim().is_empty() {
            return line.to_string();
        }
        let body = line.trim_start();
        let lead = indent_of(line);
        match self {
            Reindent::Map(map) => match map.iter().find(|(m, _)| lead.starts_with(m.as_str())) {
                Some((m, f)) => format!("{f}{}{body}", &lead[m.len()..]),
                None => line.to_string(),
            },
            Reindent::SpacesToTabs { width, offset } => {
                if lead.contains('\t') {
                    return line.to_string();
                }
                let level = (lead.len() / width) as isize + offset;
                let rest = lead.len() % width;
                format!(
                    "{}{}{body}",
                    "\t".repeat(level.max(0) as usize),
                    " ".repeat(rest)
                )
            }
            Reindent::TabsToSpaces { width, offset } => {
                let tabs = lead.chars().take_while(|c| *c == '\t').count();
                let after = &lead[tabs..];
                let level = tabs as isize + offset;
                format!("{}{after}{body}", " ".repeat(level.max(0) as usize * width))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_written_for_a_tab_file_become_tabs() {
        let r = plan(&[("\tif x {", "    if x {"), ("\t\treturn", "        return")]);
        assert_eq!(
            r,
            Reindent::SpacesToTabs {
                width: 4,
                offset: 0
            }
        );
        assert_eq!(r.apply("        y := 2"), "\t\ty := 2");
        assert_eq!(r.apply("    }"), "\t}");
    }

    #[test]
    fn tabs_written_for_a_space_file_become_spaces() {
        let r = plan(&[("  a:", "\ta:")]);
        assert_eq!(r.apply("\t\tb: 1"), "    b: 1");
    }

    #[test]
    fn a_missing_common_indent_is_added_back() {
        let r = plan(&[("    line1", " line1")]);
        assert_eq!(r.apply(" new"), "    new");
        assert_eq!(r.apply("     deeper"), "        deeper");
        let r = plan(&[("x", "    x")]);
        assert_eq!(r.apply("    y"), "y");
    }
}
