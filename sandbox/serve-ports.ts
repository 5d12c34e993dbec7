/**
 * The servers of `edubridge sandbox serve` in the order `--port-base N` gives them ports: the first
 * gets N, the next N + 1 … Changing the order moves ports people have written down: add new servers
 * at the end.
 */
export const SERVE_PORT_ORDER = [
  ['gateway', 'LGSP'],
  ['city', 'CSDL ngành/city DB'],
  ['ssc', 'SSC'],
  ['c06Gateway', 'NDXP'],
  ['c06', 'C06'],
  ['vneid', 'VNeID'],
  ['restSchool', 'REST'],
  ['soapSchool', 'SOAP'],
  ['oneRoster', 'OneRoster'],
  ['control', 'control'],
] as const;
export type ServePortName = (typeof SERVE_PORT_ORDER)[number][0];

/** The port of `name` for a port base (0: any free port). */
export function portFor(portBase: number, name: ServePortName): number {
  return portBase === 0 ? 0 : portBase + SERVE_PORT_ORDER.findIndex(([n]) => n === name);
}

/** The largest `--port-base` that leaves room for every server. */
export const MAX_PORT_BASE = 65_535 - (SERVE_PORT_ORDER.length - 1);
