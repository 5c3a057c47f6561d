/**
 * The simulator's coins: real tickers first (names and rough USD prices, for a plausible board), then
 * generated ones up to the requested count. Listings and venue tickers include the quirks adapters must
 * handle: multiplier symbols (`1000SATSUSDT`), venue renames (Binance `BTTC` = `BTT`), and Upbit's `TON`
 * that is Tokamak Network, not Toncoin.
 */
import { seededRandom } from "./random";

/** The four spot venues the simulator quotes. */
export type SimMarketVenue = "upbit" | "bithumb" | "binance" | "bybit";
export const SIM_MARKET_VENUES: readonly SimMarketVenue[] = ["upbit", "bithumb", "binance", "bybit"];

/** A venue's own ticker of a coin, and how many coins one unit of its market is. */
export interface VenueListing {
  ticker: string;
  multiplier: number;
}

/** One simulated coin. */
export interface CatalogCoin {
  /** Our coin key. */
  base: string;
  englishName: string;
  koreanName: string;
  /** Starting USD price. */
  usd: number;
  /** Where it trades, with the venue's ticker. */
  listings: Partial<Record<SimMarketVenue, VenueListing>>;
}

// ticker, English name, Korean name, USD price
const REAL: [string, string, string, number][] = [
  ["BTC", "Bitcoin", "비트코인", 91000],
  ["ETH", "Ethereum", "이더리움", 3050],
  ["XRP", "XRP", "엑스알피(리플)", 2.2],
  ["SOL", "Solana", "솔라나", 140],
  ["DOGE", "Dogecoin", "도지코인", 0.16],
  ["ADA", "Cardano", "에이다", 0.45],
  ["TRX", "TRON", "트론", 0.28],
  ["LINK", "Chainlink", "체인링크", 13.5],
  ["AVAX", "Avalanche", "아발란체", 14],
  ["SUI", "Sui", "수이", 1.7],
  ["XLM", "Stellar Lumens", "스텔라루멘", 0.25],
  ["BCH", "Bitcoin Cash", "비트코인캐시", 550],
  ["HBAR", "Hedera", "헤데라", 0.14],
  ["DOT", "Polkadot", "폴카닷", 2.3],
  ["LTC", "Litecoin", "라이트코인", 85],
  ["SHIB", "Shiba Inu", "시바이누", 0.0000085],
  ["UNI", "Uniswap", "유니스왑", 6],
  ["NEAR", "NEAR Protocol", "니어프로토콜", 1.9],
  ["APT", "Aptos", "앱토스", 2],
  ["ETC", "Ethereum Classic", "이더리움클래식", 13],
  ["AAVE", "Aave", "에이브", 180],
  ["PEPE", "Pepe", "페페", 0.0000045],
  ["ONDO", "Ondo Finance", "온도파이낸스", 0.5],
  ["ARB", "Arbitrum", "아비트럼", 0.22],
  ["POL", "Polygon Ecosystem Token", "폴리곤에코시스템토큰", 0.13],
  ["ATOM", "Cosmos", "코스모스", 2.5],
  ["ALGO", "Algorand", "알고랜드", 0.14],
  ["FIL", "Filecoin", "파일코인", 1.6],
  ["VET", "VeChain", "비체인", 0.015],
  ["ENA", "Ethena", "에테나", 0.28],
  ["SEI", "Sei", "세이", 0.14],
  ["RENDER", "Render", "렌더토큰", 1.6],
  ["IMX", "Immutable", "이뮤터블엑스", 0.35],
  ["INJ", "Injective", "인젝티브", 6],
  ["OP", "Optimism", "옵티미즘", 0.35],
  ["STX", "Stacks", "스택스", 0.3],
  ["GRT", "The Graph", "더그래프", 0.05],
  ["TIA", "Celestia", "셀레스티아", 0.6],
  ["SAND", "The Sandbox", "샌드박스", 0.15],
  ["MANA", "Decentraland", "디센트럴랜드", 0.17],
  ["AXS", "Axie Infinity", "엑시인피니티", 1],
  ["THETA", "Theta Token", "쎄타토큰", 0.35],
  ["EGLD", "MultiversX", "멀티버스엑스", 7],
  ["XTZ", "Tezos", "테조스", 0.5],
  ["FLOW", "Flow", "플로우", 0.2],
  ["CHZ", "Chiliz", "칠리즈", 0.03],
  ["BONK", "Bonk", "봉크", 0.00001],
  ["WLD", "Worldcoin", "월드코인", 0.6],
  ["JUP", "Jupiter", "주피터", 0.2],
  ["PYTH", "Pyth Network", "피스네트워크", 0.07],
  ["BLUR", "Blur", "블러", 0.04],
  ["ZRO", "LayerZero", "레이어제로", 1.3],
  ["ZK", "ZKsync", "지케이싱크", 0.04],
  ["STRK", "Starknet", "스타크넷", 0.12],
  ["MOVE", "Movement", "무브먼트", 0.05],
  ["W", "Wormhole", "웜홀", 0.05],
  ["CRV", "Curve", "커브", 0.4],
  ["ENS", "Ethereum Name Service", "이더리움네임서비스", 10],
  ["LDO", "Lido DAO", "리도다오", 0.6],
  ["SNX", "Synthetix", "신세틱스", 0.5],
  ["COMP", "Compound", "컴파운드", 30],
  ["ZRX", "0x Protocol", "제로엑스", 0.15],
  ["BAT", "Basic Attention Token", "베이직어텐션토큰", 0.2],
  ["1INCH", "1inch", "1인치네트워크", 0.17],
  ["KAVA", "Kava", "카바", 0.3],
  ["IOTA", "IOTA", "아이오타", 0.1],
  ["NEO", "NEO", "네오", 4],
  ["QTUM", "Qtum", "퀀텀", 1.5],
  ["ICX", "ICON", "아이콘", 0.07],
  ["ONT", "Ontology", "온톨로지", 0.1],
  ["ZIL", "Zilliqa", "질리카", 0.008],
  ["STORJ", "Storj", "스토리지", 0.15],
  ["ANKR", "Ankr", "앵커", 0.01],
  ["MASK", "Mask Network", "마스크네트워크", 0.6],
  ["ARKM", "Arkham", "아캄", 0.25],
  ["GMT", "STEPN", "스테픈", 0.02],
  ["APE", "ApeCoin", "에이프코인", 0.35],
  ["CELO", "Celo", "셀로", 0.2],
  ["GAS", "Gas", "가스", 2.5],
  ["HIFI", "Hifi Finance", "하이파이", 0.1],
  ["T", "Threshold", "쓰레스홀드", 0.012],
  ["CVC", "Civic", "시빅", 0.06],
  ["SC", "Siacoin", "시아코인", 0.002],
  ["KNC", "Kyber Network", "카이버네트워크", 0.3],
  ["SUSHI", "SushiSwap", "스시스왑", 0.5],
  ["YFI", "yearn.finance", "연파이낸스", 4500],
  ["JTO", "Jito", "지토", 0.6],
  ["PENDLE", "Pendle", "펜들", 2.5],
  ["ID", "SPACE ID", "스페이스아이디", 0.1],
  ["GLM", "Golem", "골렘", 0.22],
  ["POWR", "Powerledger", "파워렛저", 0.12],
  ["AUCTION", "Bounce", "바운스토큰", 8],
  ["ASTR", "Astar", "아스타", 0.02],
  ["TFUEL", "Theta Fuel", "쎄타퓨엘", 0.03],
  ["JST", "JUST", "저스트", 0.03],
  ["SXP", "Solar", "솔라", 0.1],
  ["MINA", "Mina", "미나", 0.15],
  ["ARDR", "Ardor", "아더", 0.06],
  ["HIVE", "Hive", "하이브", 0.1],
  ["STEEM", "Steem", "스팀", 0.1],
  ["BTT", "BitTorrent", "비트토렌트", 0.0000006],
  ["SATS", "SATS (Ordinals)", "사츠", 0.00000002],
];

// Korean-only (no USDT market) and global-only coins.
const KOREAN_ONLY: [string, string, string, number][] = [
  ["MED", "MediBloc", "메디블록", 0.004],
  ["BORA", "BORA", "보라", 0.05],
  ["MBL", "MovieBloc", "무비블록", 0.0015],
  ["AERGO", "Aergo", "아르고", 0.07],
  ["TOKAMAK", "Tokamak Network", "토카막네트워크", 1.1],
];
const GLOBAL_ONLY: [string, string, string, number][] = [
  ["TON", "Toncoin", "톤코인", 1.6],
  ["BNB", "BNB", "비앤비", 880],
  ["FET", "Artificial Superintelligence Alliance", "아티피셜슈퍼인텔리전스얼라이언스", 0.3],
];

const SYLLABLES = ["ka", "zo", "ri", "ve", "lu", "mi", "to", "xa", "ne", "po", "qu", "sa", "di", "fe", "go", "hy"];

/** The catalog of `count` coins (at least the real ones), the same for a given seed. */
export function buildCatalog(count = 300, seed = 42): CatalogCoin[] {
  const random = seededRandom(seed);
  const coins: CatalogCoin[] = [];
  for (const [base, englishName, koreanName, usd] of REAL) {
    coins.push({
      base,
      englishName,
      koreanName,
      usd,
      listings: {
        upbit: { ticker: base, multiplier: 1 },
        bithumb: { ticker: base, multiplier: 1 },
        binance: { ticker: base, multiplier: 1 },
        bybit: { ticker: base, multiplier: 1 },
      },
    });
  }
  for (const [base, englishName, koreanName, usd] of KOREAN_ONLY) {
    coins.push({
      base,
      englishName,
      koreanName,
      usd,
      listings: { upbit: { ticker: base, multiplier: 1 }, bithumb: { ticker: base, multiplier: 1 } },
    });
  }
  for (const [base, englishName, koreanName, usd] of GLOBAL_ONLY) {
    coins.push({
      base,
      englishName,
      koreanName,
      usd,
      listings: { binance: { ticker: base, multiplier: 1 }, bybit: { ticker: base, multiplier: 1 } },
    });
  }
  // Venue quirks, as the real venues have them.
  const byBase = new Map(coins.map((c) => [c.base, c]));
  const tokamak = byBase.get("TOKAMAK");
  if (tokamak?.listings.upbit) tokamak.listings.upbit = { ticker: "TON", multiplier: 1 };
  const btt = byBase.get("BTT");
  if (btt?.listings.binance) btt.listings.binance = { ticker: "BTTC", multiplier: 1 };
  const sats = byBase.get("SATS");
  if (sats?.listings.binance) sats.listings.binance = { ticker: "1000SATS", multiplier: 1000 };

  const taken = new Set(coins.map((c) => c.base));
  while (coins.length < count) {
    const len = 2 + Math.floor(random() * 2);
    let name = "";
    for (let i = 0; i < len; i++) name += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    const base = name.toUpperCase().slice(0, 6);
    if (taken.has(base)) continue;
    taken.add(base);
    const englishName = `${name[0]?.toUpperCase()}${name.slice(1)} Protocol`;
    const listings: CatalogCoin["listings"] = {};
    if (random() < 0.7) listings.upbit = { ticker: base, multiplier: 1 };
    if (random() < 0.7) listings.bithumb = { ticker: base, multiplier: 1 };
    if (random() < 0.75) listings.binance = { ticker: base, multiplier: 1 };
    if (random() < 0.6) listings.bybit = { ticker: base, multiplier: 1 };
    if (Object.keys(listings).length === 0) listings.bithumb = { ticker: base, multiplier: 1 };
    coins.push({ base, englishName, koreanName: englishName, usd: 10 ** (random() * 6 - 4), listings });
  }
  return coins;
}
