// A strip that scrolls sideways (the tab list on a phone) says so: it fades out at each edge that hides
// more of it, and the selected tab is scrolled into view. Classes, so CSS owns the look:
// `cp-more-before` / `cp-more-after` on the strip while content is hidden on that side.

export function markOverflow(strip) {
  const update = () => {
    const hidden = strip.scrollWidth - strip.clientWidth;
    strip.classList.toggle("cp-more-before", hidden > 1 && strip.scrollLeft > 1);
    strip.classList.toggle("cp-more-after", hidden > 1 && strip.scrollLeft < hidden - 1);
  };
  strip.addEventListener("scroll", update, { passive: true });
  if (typeof ResizeObserver === "function") new ResizeObserver(update).observe(strip);
  update();
  return update;
}

/** Bring `item` into the strip's view (only sideways: the page itself does not jump). */
export function revealInStrip(strip, item) {
  const left = item.offsetLeft - strip.offsetLeft;
  if (left < strip.scrollLeft) strip.scrollLeft = left;
  else if (left + item.offsetWidth > strip.scrollLeft + strip.clientWidth) {
    strip.scrollLeft = left + item.offsetWidth - strip.clientWidth;
  }
}
