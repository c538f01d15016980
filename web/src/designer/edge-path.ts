// The line of a link as an SVG path: straight down and across, through the points the layout kept free
// for it, so that it never crosses a step of another branch on its way to a join or an end.
import type { EdgeRoute } from './flow-types.js';

type Point = { x: number; y: number };

const RADIUS = 10;

/** The corners of the line from the source's handle to the target's (moved by `route.entry`). */
export function edgeCorners(source: Point, target: Point, route: EdgeRoute): Point[] {
  const end = { x: target.x + route.entry, y: target.y };
  const corners: Point[] = [source];
  let at = source;
  for (const point of [...route.via, end]) {
    if (point.x !== at.x) {
      // Across where the layout put the point when it lies between ranks (the first and last always do),
      // else half-way down to it.
      const y = point === end ? at.y : point === route.via[0] ? point.y : (at.y + point.y) / 2;
      corners.push({ x: at.x, y }, { x: point.x, y });
    }
    at = point;
  }
  corners.push(end);
  return corners.filter((p, i, all) => i === 0 || p.x !== all[i - 1]?.x || p.y !== all[i - 1]?.y);
}

/** The path through `corners`, each corner rounded. */
export function edgePath(corners: Point[]): string {
  const [first, ...rest] = corners;
  if (first === undefined) return '';
  let d = `M${first.x},${first.y}`;
  rest.forEach((corner, i) => {
    const before = i === 0 ? first : (rest[i - 1] as Point);
    const after = rest[i + 1];
    if (after === undefined) {
      d += ` L${corner.x},${corner.y}`;
      return;
    }
    const r = Math.min(RADIUS, dist(before, corner) / 2, dist(corner, after) / 2);
    const into = towards(corner, before, r);
    const out = towards(corner, after, r);
    d += ` L${into.x},${into.y} Q${corner.x},${corner.y} ${out.x},${out.y}`;
  });
  return d;
}

function dist(a: Point, b: Point): number {
  return Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
}

function towards(from: Point, to: Point, by: number): Point {
  const length = dist(from, to);
  return length === 0
    ? from
    : { x: from.x + ((to.x - from.x) / length) * by, y: from.y + ((to.y - from.y) / length) * by };
}
