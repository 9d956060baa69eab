//! `forge metrics`: the root's history as Prometheus text on stdout.

use crate::error::Error;

pub fn run(g: &super::Global) -> Result<u8, Error> {
    let root = super::runs::root_dir(g)?;
    let text = crate::metrics::history_text(&[&root])?;
    print!("{text}");
    Ok(crate::error::exit::OK)
}
