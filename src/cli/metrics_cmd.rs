//! `forge metrics`: the root's history as Prometheus text on stdout.

use crate::error::Error;

pub fn run(g: &super::Global) -> Result<u8, Error> {
    let root = super::project::root(g)?;
    let text = crate::metrics::history_text(&[&root])?;
    super::output::out(&text)?;
    Ok(crate::error::exit::OK)
}
