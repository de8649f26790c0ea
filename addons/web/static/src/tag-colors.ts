/** Odoo's colour index of a tag (an integer field, `color`) → the background it is shown with. */
export const TAG_COLORS = ['#e9ecef', '#f4a261', '#f6d365', '#90caf9', '#b39ddb', '#f8bbd0', '#a5d6a7', '#ffcc80', '#80cbc4', '#ce93d8', '#ef9a9a', '#c5e1a5'];

export function tagColor(index: unknown): string {
  return TAG_COLORS[Math.abs(Number(index) || 0) % TAG_COLORS.length];
}
