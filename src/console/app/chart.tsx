/**
 * Charts drawn by uPlot (bundled; 50 KB, fast on an old office PC's canvas). Every chart has a
 * table of the same numbers beside it in the page, so a person who cannot see the canvas, or wants
 * the exact figure, reads the table.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  label: string;
  values: Array<number | null>;
  colour: string;
}

interface ChartProps {
  /** What the chart shows, for screen readers (the table beside it has the figures). */
  title: string;
  /** Seconds since 1970 for a time axis; else category labels. */
  x: number[] | string[];
  series: Series[];
  kind: 'line' | 'bars';
  /** The x values' name in the legend. */
  xLabel: string;
  height?: number;
}

export function Chart({ title, x, series, kind, xLabel, height = 220 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || x.length === 0) return;
    const categories = typeof x[0] === 'string' ? (x as string[]) : undefined;
    const xs = categories ? categories.map((_, i) => i) : (x as number[]);
    const bars = kind === 'bars' ? uPlot.paths.bars?.({ size: [0.7, 60] }) : undefined;
    const plot = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height,
        scales: {
          x: {
            time: !categories,
            // One run alone would stretch the axis over years: show the hour around it.
            ...(categories
              ? {}
              : {
                  range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax =>
                    min === max ? [min - 3600, max + 3600] : [min, max],
                }),
          },
        },
        legend: { show: true },
        axes: [
          categories
            ? { values: (_u, ticks) => ticks.map((i) => categories[i] ?? ''), stroke: '#24292f' }
            : { stroke: '#24292f' },
          { stroke: '#24292f' },
        ],
        series: [
          { label: xLabel },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.colour,
            width: 2,
            ...(bars ? { paths: bars, fill: `${s.colour}cc` } : { points: { show: xs.length < 40 } }),
          })),
        ],
      },
      [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
      element,
    );
    const resize = () => plot.setSize({ width: Math.max(280, element.clientWidth), height });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [x, series, kind, height, xLabel]);
  return <div class="chart" role="img" aria-label={title} ref={box} />;
}
