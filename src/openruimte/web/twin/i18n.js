/* Labels of the 3D view, Dutch first (the choice is shared with the 2D pages through OR.i18n). */
const UI = {
  nl: {
    title: "Digitale tweeling (3D)", "title.public": "Werkzaamheden in 3D", to2d: "Kaart (2D)", link: "Link naar dit beeld",
    show: "Tonen", buildings: "Gebouwen", plans: "Plannen", pipes: "Kabels en leidingen",
    seethrough: "Maaiveld doorzichtig (ondergrond)", filter: "Filter en kleur", colour: "Kleur op",
    phase: "fase", hardness: "hardheid", owner: "eigenaar", all: "alle", period: "periode",
    sun: "Zon en schaduw", date: "datum", time: "tijd (NL)", shadows: "Schaduw",
    attribution: "Gebouwen: 3D BAG (CC BY 4.0, © 3D BAG by tudelft3d and 3DGI) of eigen gegevens. Hoogten in m NAP.",
    plancount: "{n} van {total} plannen getoond", "sun.info": "zon {alt}° boven de horizon, azimut {az}°", "sun.down": "de zon is onder",
    organisation: "organisatie", unplanned: "nog niet gepland", kind: "vorm", "kind.volume": "volume (geplande hoogte)",
    "kind.trench": "sleuf onder maaiveld", "kind.slab": "vlak (hoogte onbekend)", "kind.line": "strook op maaiveld",
    estimated: "geschat", depth: "diepte", height: "hoogte", types: "soort werk", building: "Gebouw", ground: "maaiveld",
    roof: "dak (mediaan)", year: "bouwjaar", theme: "netwerk", diameter: "diameter", close: "sluiten", copied: "Link gekopieerd",
    "depth.measured": "gemeten", "depth.standard": "standaarddiepte netbeheerder", "depth.estimated": "geschat",
    "theme.elektriciteit": "elektriciteit", "theme.gas": "gas", "theme.warmte": "warmte", "theme.water": "water",
    "theme.datatransport": "datatransport", "theme.riolering": "riolering",
    model: "BIM-model", plan: "plan", version: "versie", "upload.title": "Modelversie uploaden (IFC)",
    "upload.submit": "Uploaden", "upload.busy": "Bezig met uploaden en plaatsen…", "upload.done": "Versie {v} staat in het register.",
    reactions: "Reacties", "reactions.none": "Nog geen reacties.", "reaction.new": "Uw reactie op dit plan",
    "reaction.text": "Reactie", "reaction.email": "E-mail (optioneel, voor een antwoord; nooit getoond aan anderen)",
    "reaction.submit": "Versturen", "reaction.thanks": "Dank u. Uw reactie is ontvangen en verschijnt na beoordeling. Bewaar deze code om uw gegevens in te zien of te verwijderen: {receipt}",
    "reaction.point": "Geplaatst op het punt waar u klikte.", "reaction.report": "Melden", "reaction.reported": "Gemeld, dank u.",
    "reaction.error": "Versturen lukte niet: {msg}", "reaction.privacy": "Uw e-mailadres en een verkorte vorm van uw IP-adres (tegen misbruik) worden na {days} dagen verwijderd.",
  },
  en: {
    title: "Digital twin (3D)", "title.public": "Works in 3D", to2d: "Map (2D)", link: "Link to this view",
    show: "Show", buildings: "Buildings", plans: "Plans", pipes: "Cables and pipes",
    seethrough: "See-through ground (underground)", filter: "Filter and colour", colour: "Colour by",
    phase: "phase", hardness: "hardness", owner: "owner", all: "all", period: "period",
    sun: "Sun and shadow", date: "date", time: "time (NL)", shadows: "Shadows",
    attribution: "Buildings: 3D BAG (CC BY 4.0, © 3D BAG by tudelft3d and 3DGI) or own data. Heights in m NAP.",
    plancount: "{n} of {total} plans shown", "sun.info": "sun {alt}° above the horizon, azimuth {az}°", "sun.down": "the sun is down",
    organisation: "organisation", unplanned: "not planned yet", kind: "shape", "kind.volume": "volume (planned height)",
    "kind.trench": "trench below ground", "kind.slab": "area (height unknown)", "kind.line": "strip on the surface",
    estimated: "estimated", depth: "depth", height: "height", types: "kind of work", building: "Building", ground: "ground level",
    roof: "roof (median)", year: "year built", theme: "network", diameter: "diameter", close: "close", copied: "Link copied",
    "depth.measured": "measured", "depth.standard": "operator's standard depth", "depth.estimated": "estimated",
    "theme.elektriciteit": "electricity", "theme.gas": "gas", "theme.warmte": "heat", "theme.water": "water",
    "theme.datatransport": "data", "theme.riolering": "sewer",
    model: "BIM model", plan: "plan", version: "version", "upload.title": "Upload a model version (IFC)",
    "upload.submit": "Upload", "upload.busy": "Uploading and placing…", "upload.done": "Version {v} is in the register.",
    reactions: "Reactions", "reactions.none": "No reactions yet.", "reaction.new": "Your reaction to this plan",
    "reaction.text": "Reaction", "reaction.email": "E-mail (optional, for an answer; never shown to others)",
    "reaction.submit": "Send", "reaction.thanks": "Thank you. Your reaction was received and appears after review. Keep this code to see or delete your data: {receipt}",
    "reaction.point": "Placed at the point you clicked.", "reaction.report": "Report", "reaction.reported": "Reported, thank you.",
    "reaction.error": "Sending failed: {msg}", "reaction.privacy": "Your e-mail address and a shortened form of your IP address (against abuse) are deleted after {days} days.",
  },
};

let current = (() => {
  try { return window.localStorage.getItem("openruimte.lang") === "en" ? "en" : "nl"; } catch (e) { return "nl"; }
})();

export function lang() { return current; }
export function setLang(next) { current = next === "en" ? "en" : "nl"; }
export function T(key, vars) {
  let s = UI[current][key] || UI.nl[key] || key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split("{" + k + "}").join(String(v));
  return s;
}
