/**
 * How the dashboard's charts look: the palette, the font, and time axes that read in local (KST)
 * clock time, applied to every chart made with TradingView's lightweight-charts.
 */
import { ColorType, CrosshairMode, createChart, type IChartApi, TickMarkType, type Time } from "lightweight-charts";
import { lang } from "./i18n";

/** The charts' palette: candle directions, the two premium lines, and the chrome around them. */
export const CHART_COLOURS = {
  up: "#f6465d",
  down: "#3b8cff",
  upVolume: "rgba(246, 70, 93, 0.45)",
  downVolume: "rgba(59, 140, 255, 0.45)",
  fx: "#f0b90b",
  usdt: "#2ed3b7",
  grid: "rgba(148, 163, 184, 0.08)",
  text: "#a9b4c4",
  border: "#263041",
};

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Chart times are UTC seconds; traders read local (KST) clock times. */
function localTick(time: Time, type: TickMarkType): string {
  const d = new Date((time as number) * 1000);
  switch (type) {
    case TickMarkType.Year:
      return String(d.getFullYear());
    case TickMarkType.Month:
      return lang() === "ko" ? `${d.getMonth() + 1}월` : d.toLocaleString("en", { month: "short" });
    case TickMarkType.DayOfMonth:
      return `${d.getMonth() + 1}/${d.getDate()}`;
    default:
      return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
}

function localTime(time: Time): string {
  const d = new Date((time as number) * 1000);
  return `${d.getMonth() + 1}/${d.getDate()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Creates an empty chart in `container` with the dashboard's look, sized to the container. */
export function createThemedChart(container: HTMLElement): IChartApi {
  return createChart(container, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: "transparent" },
      textColor: CHART_COLOURS.text,
      fontFamily: "Pretendard, 'Noto Sans KR', system-ui, sans-serif",
      fontSize: 11,
    },
    grid: { vertLines: { color: CHART_COLOURS.grid }, horzLines: { color: CHART_COLOURS.grid } },
    rightPriceScale: { borderColor: CHART_COLOURS.border },
    timeScale: {
      borderColor: CHART_COLOURS.border,
      timeVisible: true,
      secondsVisible: false,
      tickMarkFormatter: localTick,
    },
    crosshair: { mode: CrosshairMode.Normal },
    localization: { timeFormatter: localTime },
  });
}
