package ai.booth.contracts;

/**
 * A sweep: one image per (x, y) cell, all other settings from the request, assembled into one grid image.
 *
 * @param x  columns
 * @param y  rows
 */
public record GridSpec(GridAxis x, GridAxis y) {
}
