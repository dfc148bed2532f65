import type { AttributeType, AttributeValue } from "../import/catalog-input";

/**
 * The words the generator builds a catalog from: departments (Cell Phones first, so every generated
 * catalog has the README's `cell-phones`) with their groups of products, styles, price ranges,
 * attributes, and the brands that sell there with their product lines. Brands and lines are real
 * names so the catalog reads like a store's (and the README's examples, Samsung or an iPhone 7 case,
 * find something); products, model numbers, prices and SKUs are made up.
 */

/** An attribute a group of products carries; `label` renders a value into a product name (null: not shown). */
export interface AttributeSpec {
  name: string;
  type: AttributeType;
  unit: string | null;
  values: readonly AttributeValue[];
  /** Every product of the group has it. */
  required?: boolean;
  /** Listed as the definition's allowed values (for STRING attributes with a closed set). */
  closed?: boolean;
  label: (value: AttributeValue) => string | null;
}

/** A group of products under a department ("Laptops"), the depth-1 categories. */
export interface ProductGroup {
  /** Category name, plural. */
  name: string;
  /** What one product is called in its name, singular. */
  noun: string;
  /** Price range in dollars. */
  price: readonly [number, number];
  attributes: readonly AttributeSpec[];
  /** Brands of this group when they are not the department's (accessory makers). */
  brands?: BrandLines;
  /** Styles of this group when they are not the department's. */
  styles?: readonly string[];
  /** Devices its products are made for; a product names one ("Case for iPhone 7"). */
  fits?: readonly string[];
}

/**
 * Brands and the product lines each sells. A `#` in a line is a model number ("Galaxy S#" gives
 * "Galaxy S9"); a line without one is a model on its own ("MacBook Air").
 */
export type BrandLines = Readonly<Record<string, readonly string[]>>;

/** A top-level category. */
export interface Department {
  name: string;
  groups: readonly ProductGroup[];
  /** Adjectives for the depth-2 categories ("Gaming Laptops") and product names. */
  styles: readonly string[];
  /** Brands of its groups (unless a group names its own), with their lines. */
  brands: BrandLines;
  /** Features mentioned in descriptions. */
  features: readonly string[];
  /** Whether some of its depth-2 categories define `energyStar`. */
  energyStar: boolean;
}

const gb = (v: AttributeValue) => (Number(v) >= 1024 ? `${Number(v) / 1024}TB` : `${v}GB`);
const num = (name: string, unit: string | null, values: number[], label: (v: AttributeValue) => string | null, required = false): AttributeSpec => ({
  name,
  type: "NUMBER",
  unit,
  values,
  required,
  label,
});
const flag = (name: string, onLabel: string | null): AttributeSpec => ({ name, type: "BOOLEAN", unit: null, values: [true, false], label: (v) => (v ? onLabel : null) });
const choice = (name: string, values: string[], label: (v: AttributeValue) => string | null = (v) => String(v)): AttributeSpec => ({
  name,
  type: "STRING",
  unit: null,
  values,
  closed: true,
  label,
});

const storage = (values: number[]) => num("storageGb", "GB", values, gb);
const screen = (values: number[], required = false) => num("screenSizeInches", "in", values, (v) => `${v}"`, required);
const ram = (values: number[]) => num("ramGb", "GB", values, (v) => `${v}GB Memory`);
const battery = (values: number[]) => num("batteryLifeHours", "h", values, () => null);
const watts = (values: number[]) => num("wattage", "W", values, (v) => `${v}W`);
const capacity = (values: number[], required = false) => num("capacityCuFt", "cu ft", values, (v) => `${v} Cu. Ft.`, required);
const megapixels = (values: number[]) => num("megapixels", "MP", values, (v) => `${v}MP`);
const resolution = choice("resolution", ["HD", "Full HD", "4K", "8K"]);
const connectivity = choice("connectivity", ["Bluetooth", "Wi-Fi", "Wired"], (v) => (v === "Wired" ? null : String(v)));
const wireless = flag("wireless", "Wireless");
const waterResistant = flag("waterResistant", "Water-Resistant");

/** Colors a product may have: the allowed values of the `color` attribute on every department. */
export const COLORS = [
  "Black", "White", "Silver", "Space Gray", "Gold", "Rose Gold", "Blue", "Navy", "Red", "Green",
  "Purple", "Pink", "Graphite", "Midnight", "Sand", "Teal",
] as const;

/** Phones that cases and screen protectors are made for. */
export const PHONES = [
  "iPhone 7", "iPhone 7 Plus", "iPhone 8", "iPhone 8 Plus", "iPhone X", "iPhone 11", "iPhone 12", "Galaxy S8", "Galaxy S9",
  "Galaxy S10", "Galaxy Note9", "Pixel 3", "Pixel 4", "Moto G7",
] as const;

/** Words put before a category name when siblings need more names ("Refurbished Laptops"). */
export const QUALIFIERS = [
  "Refurbished", "Open-Box", "Premium", "Value", "Compact", "Professional", "Everyday", "Travel", "Limited Edition",
  "Best-Selling", "New", "Smart", "Eco-Friendly", "Kids'", "Classic", "Outdoor",
] as const;

/** The departments, one per top-level category (the first N are used, N from the tree's size). */
export const DEPARTMENTS: readonly Department[] = [
  {
    name: "Cell Phones",
    styles: ["Unlocked", "Prepaid", "5G", "Rugged", "Foldable", "Kids'", "Senior-Friendly", "Dual-SIM"],
    features: ["a triple-lens camera", "an OLED display", "fast wireless charging", "5G connectivity", "an all-day battery", "IP68 water resistance"],
    energyStar: false,
    groups: [
      { name: "Smartphones", noun: "Smartphone", price: [149, 1399], attributes: [storage([64, 128, 256, 512, 1024]), screen([6.1, 6.4, 6.7])] },
      {
        name: "Phone Cases",
        noun: "Case",
        price: [9, 79],
        attributes: [waterResistant],
        styles: ["Rugged", "Slim", "Wallet", "Clear", "Leather", "Folio", "Kids'", "Designer"],
        fits: PHONES,
        brands: {
          OtterBox: ["Defender Series", "Commuter Series", "Symmetry Series Clear"],
          Speck: ["Presidio", "Presidio Clear", "CandyShell"],
          Spigen: ["Tough Armor", "Ultra Hybrid Clear", "Rugged Armor"],
          Incipio: ["DualPro", "Octane", "Stowaway"],
          "Case-Mate": ["Tough", "Tough Clear", "Wallet Folio"],
          LifeProof: ["Fre", "Next", "Wake"],
          Tech21: ["Evo Check", "Evo Clear"],
          "Urban Armor Gear": ["Monarch", "Plasma", "Civilian"],
          "kate spade new york": ["Protective Hardshell", "Defensive Hardshell"],
          Insignia: ["Hard Shell", "Rugged"],
        },
      },
      {
        name: "Chargers & Cables",
        noun: "Charger",
        price: [9, 89],
        attributes: [watts([15, 20, 30, 45, 65])],
        styles: ["Fast-Charging", "Wireless", "Travel", "Car", "Multi-Device", "Braided", "Compact", "MagSafe"],
        brands: {
          Belkin: ["BoostCharge Pro", "BoostCharge"],
          Anker: ["PowerPort III", "Nano #", "PowerLine III"],
          Apple: ["USB-C Power Adapter", "MagSafe"],
          Samsung: ["Super Fast", "Wireless Charger Duo"],
          mophie: ["speedport", "3-in-1 Travel"],
          Insignia: ["USB-C", "Wireless"],
        },
      },
      {
        name: "Screen Protectors",
        noun: "Screen Protector",
        price: [9, 59],
        attributes: [],
        styles: ["Tempered Glass", "Privacy", "Anti-Glare", "Full-Coverage", "Matte", "Blue-Light", "Film", "Edge-to-Edge"],
        fits: PHONES,
        brands: {
          ZAGG: ["InvisibleShield Glass Elite", "InvisibleShield Ultra Clear"],
          Belkin: ["ScreenForce", "UltraGlass"],
          Spigen: ["GLAS.tR EZ Fit"],
          OtterBox: ["Alpha Glass", "Amplify Glass"],
          Insignia: ["Tempered Glass"],
        },
      },
      {
        name: "Power Banks",
        noun: "Power Bank",
        price: [19, 149],
        attributes: [watts([18, 20, 30, 45])],
        styles: ["Portable", "Wireless", "Slim", "High-Capacity", "Travel", "Solar", "Laptop", "MagSafe"],
        brands: {
          Anker: ["PowerCore #000", "Nano Power Bank"],
          mophie: ["powerstation", "powerstation plus"],
          Belkin: ["BoostCharge Plus"],
          Samsung: ["Wireless Battery Pack"],
          myCharge: ["HubPlus", "AdventureUltra"],
        },
      },
    ],
    brands: {
      Apple: ["iPhone #"],
      Samsung: ["Galaxy S#", "Galaxy A#", "Galaxy Note#"],
      Google: ["Pixel #", "Pixel # Pro"],
      Motorola: ["Moto G#", "Moto E#", "Edge #"],
      OnePlus: ["OnePlus #", "Nord N#"],
      LG: ["G#", "V#", "Stylo #"],
      Sony: ["Xperia #"],
      Nokia: ["G#", "X#"],
      BLU: ["View #", "G#"],
      TCL: ["Stylus #", "Ion X#"],
    },
  },
  {
    name: "Computers & Tablets",
    styles: ["Gaming", "Business", "Student", "2-in-1", "Creator", "Budget", "Ultralight", "Workstation"],
    features: ["a backlit keyboard", "fast SSD storage", "all-day battery life", "Wi-Fi 6E", "a fingerprint reader", "Thunderbolt ports"],
    energyStar: true,
    groups: [
      { name: "Laptops", noun: "Laptop", price: [299, 2999], attributes: [screen([13.3, 14, 15.6, 16, 17.3]), ram([8, 16, 32, 64]), storage([256, 512, 1024, 2048])] },
      { name: "Desktops", noun: "Desktop", price: [399, 3499], attributes: [ram([8, 16, 32, 64]), storage([512, 1024, 2048])] },
      { name: "Tablets", noun: "Tablet", price: [129, 1499], attributes: [screen([8.3, 10.2, 11, 12.9]), storage([64, 128, 256, 512])] },
      { name: "Monitors", noun: "Monitor", price: [99, 1299], attributes: [screen([24, 27, 32, 34], true), resolution] },
      { name: "Keyboards & Mice", noun: "Keyboard", price: [19, 249], attributes: [wireless] },
      { name: "Printers", noun: "Printer", price: [59, 699], attributes: [connectivity] },
    ],
    brands: {
      Apple: ["MacBook Air", "MacBook Pro", "iPad Air", "iMac"],
      Dell: ["XPS #", "Inspiron #", "Latitude #"],
      HP: ["Pavilion #", "Envy #", "OfficeJet Pro #"],
      Lenovo: ["ThinkPad X#", "IdeaPad #", "Yoga #"],
      ASUS: ["ZenBook #", "ROG Strix G#", "VivoBook #"],
      Acer: ["Aspire #", "Predator Helios #", "Swift #"],
      Microsoft: ["Surface Pro #", "Surface Laptop #"],
      Samsung: ["Galaxy Tab S#", "Galaxy Book#", "Odyssey G#"],
      Logitech: ["MX Keys", "MX Master #", "Signature K#"],
      Canon: ["PIXMA TR#", "imageCLASS MF#"],
    },
  },
  {
    name: "TV & Home Theater",
    styles: ["Smart", "OLED", "QLED", "Outdoor", "Gaming", "Budget", "Premium", "Compact"],
    features: ["Dolby Vision", "a 120Hz refresh rate", "voice control", "HDMI 2.1 ports", "Dolby Atmos sound", "a built-in streaming hub"],
    energyStar: true,
    groups: [
      { name: "TVs", noun: "TV", price: [179, 4999], attributes: [screen([43, 50, 55, 65, 75, 85], true), resolution] },
      { name: "Soundbars", noun: "Soundbar", price: [79, 1499], attributes: [watts([100, 200, 300, 500]), wireless] },
      { name: "Projectors", noun: "Projector", price: [149, 2999], attributes: [resolution] },
      { name: "Streaming Devices", noun: "Streaming Player", price: [29, 199], attributes: [resolution] },
      { name: "TV Mounts", noun: "TV Mount", price: [29, 299], attributes: [screen([32, 55, 65, 85])] },
      { name: "Home Theater Systems", noun: "Home Theater System", price: [199, 2499], attributes: [watts([300, 600, 1000])] },
    ],
    brands: {
      Samsung: ["Crystal UHD", "Neo QLED", "The Frame"],
      LG: ["OLED C#", "NanoCell #", "UltraGear"],
      Sony: ["Bravia X#", "Bravia A#"],
      TCL: ["Q#", "QM#"],
      Hisense: ["U#", "A#"],
      Vizio: ["V-Series", "M-Series", "P-Series"],
      Insignia: ["F#", "Fire TV Edition"],
      Roku: ["Streaming Stick", "Ultra"],
      Bose: ["Smart Soundbar #", "TV Speaker"],
      Sonos: ["Arc", "Beam", "Ray"],
    },
  },
  {
    name: "Audio",
    styles: ["Noise-Canceling", "Sport", "Studio", "Portable", "Kids'", "Audiophile", "Budget", "Gaming"],
    features: ["active noise cancellation", "a 30-hour battery", "multipoint Bluetooth", "spatial audio", "a carrying case", "quick charging"],
    energyStar: false,
    groups: [
      { name: "Headphones", noun: "Headphones", price: [29, 549], attributes: [wireless, battery([20, 30, 40, 60])] },
      { name: "Earbuds", noun: "Earbuds", price: [19, 299], attributes: [wireless, battery([6, 8, 10])] },
      { name: "Bluetooth Speakers", noun: "Speaker", price: [29, 499], attributes: [waterResistant, battery([10, 12, 20, 24])] },
      { name: "Turntables", noun: "Turntable", price: [99, 999], attributes: [connectivity] },
      { name: "Microphones", noun: "Microphone", price: [39, 399], attributes: [connectivity] },
      { name: "Receivers & Amplifiers", noun: "Receiver", price: [149, 1999], attributes: [watts([50, 100, 150])] },
    ],
    brands: {
      Sony: ["WH-1000XM#", "WF-C#", "SRS-XB#"],
      Bose: ["QuietComfort #", "SoundLink Flex", "Sport Earbuds"],
      Apple: ["AirPods Pro", "AirPods Max", "AirPods #"],
      Beats: ["Studio Pro", "Solo #", "Powerbeats Pro"],
      JBL: ["Tune #", "Flip #", "Charge #"],
      Sennheiser: ["Momentum #", "HD #"],
      Samsung: ["Galaxy Buds#", "Galaxy Buds Pro"],
      Skullcandy: ["Crusher Evo", "Indy Evo", "Hesh"],
      "Audio-Technica": ["AT-LP#", "ATH-M#x"],
      Yamaha: ["RX-V#", "TT-S#"],
    },
  },
  {
    name: "Cameras & Camcorders",
    styles: ["Mirrorless", "Travel", "Vlogging", "Professional", "Beginner", "Waterproof", "Compact", "Full-Frame"],
    features: ["5-axis stabilization", "4K video", "fast autofocus", "weather sealing", "dual card slots", "a flip-out screen"],
    energyStar: false,
    groups: [
      { name: "Mirrorless Cameras", noun: "Mirrorless Camera", price: [499, 3999], attributes: [megapixels([24, 33, 45, 61])] },
      { name: "DSLR Cameras", noun: "DSLR Camera", price: [449, 2999], attributes: [megapixels([24, 30, 45])] },
      { name: "Action Cameras", noun: "Action Camera", price: [149, 549], attributes: [waterResistant, resolution] },
      { name: "Camera Lenses", noun: "Lens", price: [199, 2499], attributes: [] },
      { name: "Tripods", noun: "Tripod", price: [29, 399], attributes: [] },
      { name: "Drones", noun: "Drone", price: [299, 2199], attributes: [megapixels([12, 20, 48]), battery([1, 2])] },
    ],
    brands: {
      Canon: ["EOS R#", "EOS Rebel T#", "PowerShot G#"],
      Nikon: ["Z#", "D#", "Coolpix P#"],
      Sony: ["Alpha #", "ZV-E#", "Cyber-shot RX#"],
      Fujifilm: ["X-T#", "X-S#", "Instax Mini #"],
      Panasonic: ["Lumix G#", "Lumix S#"],
      GoPro: ["HERO#", "MAX"],
      DJI: ["Mini #", "Air #", "Osmo Action #"],
      Olympus: ["OM-D E-M#", "Tough TG-#"],
      Sigma: ["Art #mm", "Contemporary #mm"],
      Manfrotto: ["Befree", "Element"],
    },
  },
  {
    name: "Video Games",
    styles: ["Console", "PC", "Handheld", "Retro", "Family", "Competitive", "Racing", "VR"],
    features: ["haptic feedback", "a 1TB SSD", "4K gaming", "online multiplayer", "backward compatibility", "low-latency wireless"],
    energyStar: false,
    groups: [
      { name: "Consoles", noun: "Game Console", price: [199, 699], attributes: [storage([512, 1024, 2048])] },
      { name: "Controllers", noun: "Controller", price: [29, 199], attributes: [wireless] },
      { name: "Gaming Headsets", noun: "Gaming Headset", price: [29, 349], attributes: [wireless] },
      { name: "PC Games", noun: "PC Game", price: [9.99, 69.99], attributes: [] },
      { name: "Gaming Chairs", noun: "Gaming Chair", price: [149, 599], attributes: [] },
      { name: "VR Headsets", noun: "VR Headset", price: [249, 999], attributes: [storage([128, 256, 512])] },
    ],
    brands: {
      Sony: ["PlayStation #", "DualSense", "Pulse #D"],
      Microsoft: ["Xbox Series X", "Xbox Series S", "Xbox Wireless"],
      Nintendo: ["Switch", "Switch OLED", "Switch Lite"],
      Logitech: ["G#", "G Pro"],
      Razer: ["BlackShark V#", "Kraken V#", "Wolverine V#"],
      SteelSeries: ["Arctis Nova #", "Arctis #"],
      "Turtle Beach": ["Stealth #", "Recon #"],
      Meta: ["Quest #", "Quest Pro"],
      Corsair: ["HS#", "T#"],
      Secretlab: ["Titan Evo", "Omega"],
    },
  },
  {
    name: "Appliances",
    styles: ["French Door", "Stainless Steel", "Smart", "Compact", "Energy-Saving", "Commercial-Grade", "Built-In", "Portable"],
    features: ["a fingerprint-resistant finish", "smart home control", "quiet operation", "a steam clean cycle", "adjustable shelves", "a delay start"],
    energyStar: true,
    groups: [
      { name: "Refrigerators", noun: "Refrigerator", price: [799, 3999], attributes: [capacity([18, 21, 25, 28], true)] },
      { name: "Washers", noun: "Washer", price: [499, 1599], attributes: [capacity([4.5, 5, 5.3])] },
      { name: "Dryers", noun: "Dryer", price: [449, 1499], attributes: [capacity([7.4, 7.8, 9])] },
      { name: "Dishwashers", noun: "Dishwasher", price: [399, 1499], attributes: [] },
      { name: "Microwaves", noun: "Microwave", price: [79, 599], attributes: [watts([900, 1000, 1200])] },
      { name: "Vacuums", noun: "Vacuum", price: [99, 899], attributes: [wireless] },
    ],
    brands: {
      Samsung: ["Bespoke", "Family Hub", "Smart Dial"],
      LG: ["InstaView", "WashTower", "QuadWash"],
      Whirlpool: ["WRF#", "Cabrio"],
      GE: ["Profile", "Café"],
      Frigidaire: ["Gallery", "Professional"],
      Maytag: ["Pet Pro", "Bravos"],
      Bosch: ["Benchmark", "Ascenta"],
      KitchenAid: ["KRMF#", "KDTM#"],
      Dyson: ["V#", "Ball Animal #"],
      Shark: ["Navigator", "Stratos", "Rocket"],
    },
  },
  {
    name: "Smart Home",
    styles: ["Wi-Fi", "Voice-Controlled", "Outdoor", "Battery-Powered", "Starter Kit", "Matter-Ready", "Indoor", "Pro"],
    features: ["works with voice assistants", "two-way talk", "night vision", "easy app setup", "motion alerts", "local storage"],
    energyStar: false,
    groups: [
      { name: "Smart Speakers", noun: "Smart Speaker", price: [39, 299], attributes: [connectivity] },
      { name: "Security Cameras", noun: "Security Camera", price: [39, 399], attributes: [resolution, wireless] },
      { name: "Smart Lighting", noun: "Smart Bulb", price: [12, 199], attributes: [connectivity] },
      { name: "Smart Thermostats", noun: "Smart Thermostat", price: [79, 279], attributes: [] },
      { name: "Video Doorbells", noun: "Video Doorbell", price: [59, 299], attributes: [resolution] },
      { name: "Smart Locks", noun: "Smart Lock", price: [99, 349], attributes: [connectivity] },
    ],
    brands: {
      Amazon: ["Echo Dot", "Echo Show #", "Echo Studio"],
      Google: ["Nest Hub", "Nest Cam", "Nest Learning Thermostat"],
      Ring: ["Video Doorbell #", "Stick Up Cam", "Floodlight Cam"],
      Arlo: ["Pro #", "Essential", "Ultra #"],
      "Philips Hue": ["White and Color Ambiance", "Lightstrip Plus", "Go"],
      ecobee: ["Smart Thermostat Premium", "Smart Thermostat Enhanced"],
      August: ["Wi-Fi Smart Lock", "Smart Lock Pro"],
      Wyze: ["Cam v#", "Lock Bolt", "Bulb Color"],
      Eufy: ["Security S#", "SoloCam S#"],
      Yale: ["Assure Lock #", "Approach"],
    },
  },
  {
    name: "Wearable Technology",
    styles: ["Fitness", "Luxury", "Kids'", "Outdoor", "Everyday", "Sport", "Health", "Slim"],
    features: ["heart-rate tracking", "built-in GPS", "sleep tracking", "a 7-day battery", "contactless payments", "an always-on display"],
    energyStar: false,
    groups: [
      { name: "Smartwatches", noun: "Smartwatch", price: [149, 799], attributes: [waterResistant, battery([18, 36, 72])] },
      { name: "Fitness Trackers", noun: "Fitness Tracker", price: [29, 249], attributes: [waterResistant] },
      { name: "Smart Rings", noun: "Smart Ring", price: [199, 399], attributes: [] },
      { name: "Watch Bands", noun: "Watch Band", price: [19, 99], attributes: [] },
      { name: "Kids' Watches", noun: "Kids' Watch", price: [49, 199], attributes: [waterResistant] },
    ],
    brands: {
      Apple: ["Watch Series #", "Watch SE", "Watch Ultra #"],
      Samsung: ["Galaxy Watch#", "Galaxy Fit#", "Galaxy Ring"],
      Garmin: ["Forerunner #5", "Venu #", "fenix #"],
      Fitbit: ["Charge #", "Versa #", "Inspire #"],
      Google: ["Pixel Watch #"],
      Amazfit: ["GTR #", "Bip #"],
      Oura: ["Ring Gen#"],
      Fossil: ["Gen # Smartwatch"],
      Withings: ["ScanWatch #"],
      Polar: ["Pacer Pro", "Vantage V#"],
    },
  },
  {
    name: "Car Electronics",
    styles: ["Touchscreen", "Marine", "Truck", "Premium", "Budget", "Wireless", "Compact", "Pro"],
    features: ["wireless phone mirroring", "a backup camera input", "voice navigation", "a bright anti-glare screen", "easy installation", "loop recording"],
    energyStar: false,
    groups: [
      { name: "Car Stereos", noun: "Car Stereo", price: [89, 1299], attributes: [watts([50, 100, 200])] },
      { name: "Dash Cameras", noun: "Dash Camera", price: [49, 399], attributes: [resolution] },
      { name: "Car Speakers", noun: "Car Speaker", price: [39, 499], attributes: [watts([50, 100, 150, 300])] },
      { name: "GPS Navigation", noun: "GPS Navigator", price: [99, 499], attributes: [screen([5, 6, 7])] },
      { name: "Car Chargers", noun: "Car Charger", price: [12, 59], attributes: [watts([12, 20, 30, 45])] },
      { name: "Radar Detectors", noun: "Radar Detector", price: [99, 699], attributes: [] },
    ],
    brands: {
      Pioneer: ["DMH-W#", "TS-A#"],
      Kenwood: ["Excelon DMX#", "KFC-#"],
      Alpine: ["iLX-W#", "Type-R"],
      "JL Audio": ["C#", "Stealthbox"],
      Garmin: ["DriveSmart #", "Dash Cam #"],
      Rockford: ["Punch P#", "Prime R#"],
      Escort: ["MAX #", "Redline #"],
      Uniden: ["R#", "DFR#"],
      Nextbase: ["iQ", "Series #"],
      Belkin: ["BoostCharge Pro", "BoostCharge"],
    },
  },
  {
    name: "Office & School",
    styles: ["Ergonomic", "Standing", "Home Office", "Student", "Executive", "Compact", "Heavy-Duty", "Budget"],
    features: ["adjustable height", "a five-year warranty", "tool-free assembly", "breathable mesh", "quiet operation", "a compact footprint"],
    energyStar: false,
    groups: [
      { name: "Office Chairs", noun: "Office Chair", price: [89, 1199], attributes: [] },
      { name: "Desks", noun: "Desk", price: [99, 999], attributes: [] },
      { name: "Shredders", noun: "Shredder", price: [39, 399], attributes: [] },
      { name: "Calculators", noun: "Calculator", price: [9, 159], attributes: [] },
      { name: "Backpacks", noun: "Backpack", price: [29, 199], attributes: [waterResistant] },
      { name: "Label Makers", noun: "Label Maker", price: [24, 149], attributes: [connectivity] },
    ],
    brands: {
      "Herman Miller": ["Aeron", "Embody", "Sayl"],
      Steelcase: ["Leap", "Gesture", "Series #"],
      Flexispot: ["E#", "Comhar"],
      Fellowes: ["Powershred #Cs", "Lotus"],
      "Texas Instruments": ["TI-#", "TI-# Plus"],
      Casio: ["fx-#", "HS-#"],
      Brother: ["P-touch PT-D#", "HL-L#"],
      DYMO: ["LabelManager #", "LetraTag"],
      "The North Face": ["Borealis", "Jester"],
      JanSport: ["SuperBreak", "Right Pack"],
    },
  },
  {
    name: "Health & Fitness",
    styles: ["Home Gym", "Travel", "Professional", "Cordless", "Smart", "Quiet", "Compact", "Family"],
    features: ["a rechargeable battery", "app coaching", "several intensity levels", "a travel case", "an auto-off timer", "quiet operation"],
    energyStar: false,
    groups: [
      { name: "Electric Toothbrushes", noun: "Electric Toothbrush", price: [24, 299], attributes: [battery([14, 21, 30])] },
      { name: "Hair Dryers", noun: "Hair Dryer", price: [29, 449], attributes: [watts([1200, 1600, 1875])] },
      { name: "Massagers", noun: "Massage Gun", price: [49, 399], attributes: [battery([2, 3, 5])] },
      { name: "Smart Scales", noun: "Smart Scale", price: [29, 199], attributes: [connectivity] },
      { name: "Exercise Bikes", noun: "Exercise Bike", price: [299, 2499], attributes: [] },
      { name: "Air Purifiers", noun: "Air Purifier", price: [79, 799], attributes: [] },
    ],
    brands: {
      "Philips Sonicare": ["ProtectiveClean #", "DiamondClean"],
      "Oral-B": ["iO Series #", "Pro #"],
      Dyson: ["Supersonic", "Purifier Cool", "Airwrap"],
      Theragun: ["Prime", "Mini", "Pro"],
      Hyperice: ["Hypervolt #", "Normatec #"],
      Withings: ["Body+", "Body Smart"],
      Peloton: ["Bike", "Bike+"],
      NordicTrack: ["Commercial S#i", "Studio Bike"],
      Levoit: ["Core #S", "Vital #"],
      Revlon: ["One-Step", "Salon"],
    },
  },
];

/** The `energyStar` attribute some depth-2 categories of energy-hungry departments define. */
export const ENERGY_STAR: AttributeSpec = flag("energyStar", "ENERGY STAR");
