//! evidence.md, rendered from the pack alone through templates/evidence.md.

use super::EvidencePack;

pub fn render_markdown(pack: &EvidencePack) -> String {
    let _ = pack;
    String::new()
}
