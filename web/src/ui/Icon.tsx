// Line icons drawn with one stroke style; decorative unless given a label.
import type { IconName } from './icon-names.js';

const PATHS: Record<IconName, string> = {
  mail: 'M3 6h18v12H3z M3 7l9 6 9-6',
  'mail-auto': 'M3 6h13v12H3z M3 7l6.5 5 6.5-5 M19 9v6 M17 13l2 2 2-2',
  phone: 'M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2',
  task: 'M4 4h16v16H4z M8 12l3 3 5-6',
  clock: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z M12 7v5l3 3',
  branch: 'M6 3v6 M6 9c0 4 12 2 12 7v5 M6 9v12 M3 18l3 3 3-3 M15 18l3 3 3-3',
  linkedin: 'M4 4h16v16H4z M8 10v6 M8 7v.5 M12 16v-6 M12 12.5c0-1.5 1-2.5 2.5-2.5S17 11 17 12.5V16',
  'edit-field': 'M4 20h4L19 9l-4-4L4 16z M13 7l4 4',
  forward: 'M4 12h14 M13 6l6 6-6 6',
  flag: 'M5 21V4 M5 4h12l-2 4 2 4H5',
  plus: 'M12 5v14 M5 12h14',
  trash: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13',
  close: 'M6 6l12 12 M18 6L6 18',
  search: 'M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13z M15.5 15.5L20 20',
  sequences: 'M5 4h6v5H5z M13 15h6v5h-6z M8 9v4h8v2',
  records: 'M4 5h16 M4 12h16 M4 19h16',
  work: 'M4 7h16v13H4z M9 7V4h6v3 M4 12h16',
  template: 'M5 3h10l4 4v14H5z M15 3v4h4 M8 12h8 M8 16h6',
  settings:
    'M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z M12 2v3 M12 19v3 M2 12h3 M19 12h3 M4.9 4.9l2.1 2.1 M17 17l2.1 2.1 M4.9 19.1L7 17 M17 7l2.1-2.1',
  menu: 'M4 6h16 M4 12h16 M4 18h16',
  warning: 'M12 3l10 18H2z M12 10v5 M12 18v.5',
  check: 'M5 12l5 5 9-10',
  history: 'M4 12a8 8 0 1 0 2.3-5.6 M4 4v5h5 M12 8v4l3 2',
  user: 'M12 4a4 4 0 1 0 0 8 4 4 0 0 0 0-8z M4 21c0-4 3.6-7 8-7s8 3 8 7',
};

export function Icon({ name, label, size = 18 }: { name: IconName; label?: string; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label === undefined ? undefined : 'img'}
      aria-hidden={label === undefined ? true : undefined}
      aria-label={label}
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
