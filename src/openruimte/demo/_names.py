"""Dutch place and street names of Voorbeeldstad, drawn deterministically."""

from __future__ import annotations

import numpy as np

#: street-name themes of the outer neighbourhoods: buurt name -> word stems
THEMES: dict[str, tuple[str, ...]] = {
    "Vogelbuurt": (
        "Merel", "Lijster", "Spreeuw", "Mees", "Vink", "Zwaluw", "Specht", "Reiger", "Kievit", "Roodborst",
        "Winterkoning", "Grutto", "Tureluur", "Wielewaal", "Nachtegaal", "Leeuwerik", "Koekoek", "Ekster",
        "Havik", "Buizerd", "Fazant", "Patrijs", "Kwartel", "Putter", "Sijs", "Kneu", "IJsvogel", "Boomklever",
    ),
    "Bloemenbuurt": (
        "Rozen", "Tulpen", "Narcissen", "Lelie", "Iris", "Krokus", "Anjer", "Dahlia", "Aster", "Klaproos",
        "Korenbloem", "Madelief", "Zonnebloem", "Lavendel", "Jasmijn", "Seringen", "Primula", "Sneeuwklok",
        "Margriet", "Akelei", "Lupine", "Goudsbloem", "Kamperfoelie", "Hortensia", "Magnolia", "Hyacinten",
    ),
    "Bomenbuurt": (
        "Eiken", "Beuken", "Essen", "Linden", "Berken", "Wilgen", "Populieren", "Kastanje", "Esdoorn", "Iepen",
        "Elzen", "Hazelaar", "Lijsterbes", "Meidoorn", "Vlier", "Taxus", "Dennen", "Sparren", "Lariks",
        "Ceder", "Walnoot", "Platanen", "Acacia", "Hulst", "Moerbei", "Kersen",
    ),
    "Schildersbuurt": (
        "Rembrandt", "Vermeer", "Frans Hals", "Jan Steen", "Van Gogh", "Mondriaan", "Breitner", "Israëls",
        "Mesdag", "Weissenbruch", "Maris", "Ruisdael", "Hobbema", "Paulus Potter", "Cuyp", "Van Goyen",
        "Avercamp", "Dou", "Metsu", "De Hooch", "Ter Borch", "Toorop", "Sluijters", "Escher", "Jongkind",
    ),
    "Dichtersbuurt": (
        "Vondel", "Bilderdijk", "Multatuli", "Hooft", "Huygens", "Jacob Cats", "Gezelle", "Jacques Perk",
        "Willem Kloos", "Gorter", "Couperus", "Heijermans", "Van Eeden", "Bredero", "Tollens", "Da Costa",
        "Staring", "Beets", "Potgieter", "Van Lennep", "Nescio", "Slauerhoff", "Marsman", "Achterberg",
    ),
    "Rivierenbuurt": (
        "Maas", "Rijn", "Waal", "IJssel", "Lek", "Vecht", "Dommel", "Dinkel", "Amstel", "Eem", "Linge",
        "Regge", "Berkel", "Schelde", "Roer", "Geul", "Hunze", "Reest", "Merwede", "Gouwe", "Rotte",
        "Zaan", "Spaarne", "Mark", "Aa", "Niers",
    ),
    "Componistenbuurt": (
        "Sweelinck", "Bach", "Mozart", "Beethoven", "Chopin", "Haydn", "Händel", "Schubert", "Brahms",
        "Verdi", "Grieg", "Mahler", "Ravel", "Debussy", "Vivaldi", "Purcell", "Diepenbrock", "Röntgen",
        "Badings", "Pijper", "Zweers", "Wagenaar", "Dopper", "Schumann", "Dvořák", "Sibelius",
    ),
    "Sterrenbuurt": (
        "Mercurius", "Venus", "Mars", "Jupiter", "Saturnus", "Uranus", "Neptunus", "Orion", "Sirius",
        "Vega", "Andromeda", "Pegasus", "Cassiopeia", "Perseus", "Lyra", "Aldebaran", "Capella",
        "Arcturus", "Castor", "Pollux", "Regulus", "Spica", "Polaris", "Altair", "Deneb",
    ),
    "Eilandenbuurt": (
        "Texel", "Vlieland", "Terschelling", "Ameland", "Schiermonnikoog", "Rottum", "Griend", "Marken",
        "Urk", "Schokland", "Pampus", "Tiengemeten", "Goeree", "Walcheren", "Tholen", "Schouwen",
        "Duiveland", "Voorne", "Wieringen", "Rozenburg", "Flakkee", "Neeltje Jans",
    ),
    "Geleerdenbuurt": (
        "Lorentz", "Kamerlingh Onnes", "Zeeman", "Van der Waals", "Einthoven", "Eijkman", "Debye",
        "Zernike", "Tinbergen", "Van 't Hoff", "Leeuwenhoek", "Boerhaave", "Simon Stevin", "Snellius",
        "Swammerdam", "Buys Ballot", "Kapteyn", "Oort", "De Sitter", "Ehrenfest", "Van Marum", "Minnaert",
    ),
    "Edelstenenbuurt": (
        "Robijn", "Saffier", "Smaragd", "Diamant", "Parel", "Opaal", "Topaas", "Granaat", "Jade",
        "Amethist", "Agaat", "Onyx", "Kwarts", "Jaspis", "Barnsteen", "Turkoois", "Beril", "Toermalijn",
        "Zirkoon", "Lazuur", "Malachiet", "Aquamarijn",
    ),
    "Kruidenbuurt": (
        "Tijm", "Salie", "Rozemarijn", "Basilicum", "Dragon", "Kervel", "Peterselie", "Bieslook", "Munt",
        "Venkel", "Dille", "Koriander", "Marjolein", "Lavas", "Kamille", "Valeriaan", "Melisse", "Mosterd",
        "Anijs", "Karwij", "Hysop", "Zuring",
    ),
    "Vlinderbuurt": (
        "Atalanta", "Dagpauwoog", "Citroenvlinder", "Koolwitje", "Zandoogje", "Parelmoervlinder",
        "Vuurvlinder", "Blauwtje", "Dikkopje", "Oranjetipje", "Aurelia", "Kleine Vos", "Distelvlinder",
        "Koninginnenpage", "Boomblauwtje", "Hooibeestje", "Argusvlinder", "Groentje", "Heideblauwtje",
        "Rouwmantel", "Keizersmantel", "Sleedoornpage",
    ),
    "Heidebuurt": (
        "Struikhei", "Dophei", "Brem", "Jeneverbes", "Gagel", "Bosbes", "Veenbes", "Kraaihei", "Zonnedauw",
        "Wollegras", "Adelaarsvaren", "Pijpenstro", "Heidelibel", "Zandhagedis", "Boompieper", "Tapuit",
        "Heideklokje", "Struisgras", "Smele", "Veenmos", "Zandloopkever", "Korhoen",
    ),
}

#: suffixes by street role
ARC_SUFFIXES = ("straat", "laan", "singel", "dreef", "weg")
LINK_SUFFIXES = ("straat", "pad", "weg", "steeg")
CUL_SUFFIXES = ("hof", "erf", "plein", "hoek", "gaarde")

#: historic centre: stems, suffixes and prefixes
CENTRE_STEMS = (
    "Kerk", "Molen", "Hoog", "Bakker", "Smede", "Vis", "Brouwers", "Kapel", "Toren", "Begijnen", "Wijn",
    "Zadel", "Boter", "Kaas", "Koren", "Haver", "Lombard", "Joden", "Zilver", "Goud", "Pottenbakkers",
    "Kuipers", "Looiers", "Vleeshouwers", "Schoenmakers", "Wevers", "Touwslagers", "Klooster", "Gasthuis",
    "Burg", "Poort", "Muur", "Hout", "Steen", "Zand", "Peper", "Zout", "Ridder", "Heren", "Paarden",
    "Ossen", "Hoeden", "Spin", "Tuin", "Bruggen", "Sluis", "Vrouwen", "Kruis", "Engel", "Sint Jans",
    "Sint Pieters", "Drieharing", "Lakenhal", "Waag", "Munt", "Schutters", "Doelen", "Raam", "Vest",
)
CENTRE_SUFFIXES = ("straat", "steeg")
CENTRE_PREFIXES = ("", "", "", "Lange ", "Korte ", "Oude ", "Nieuwe ")

#: radial main roads, leading out of town
RADIAL_NAMES = (
    "Stationsweg", "Amersfoortseweg", "Rijksstraatweg", "Provincialeweg", "Utrechtseweg", "Bergweg",
    "Veenendaalseweg", "Dorpsweg", "Zandweg",
)
RING_NAMES = ("Oostersingel", "Noordersingel", "Westersingel", "Zuidersingel")

#: wijken in angle order (east, north, west, south) plus the centre
CENTRE_WIJK = "Binnenstad"
OUTER_WIJKEN = ("Oosterpark", "Noorderhout", "Westerkwartier", "Zuiderveld")
CENTRE_BUURTEN = ("Oude Stad", "Kerkbuurt", "Havenkwartier")

#: names of new developments
DEVELOPMENT_NAMES = (
    "De Horst", "Het Ven", "Molenveld", "Kloosterhoek", "Bosrand", "De Weiden", "Vlietpolder", "Hoge Akker",
    "Spoorzone", "Havenfront", "Oude Gasfabriek", "Veilingterrein", "Schoolhof", "Kazerneterrein",
    "Tuinderij", "Steenbakkerij", "Wolfabriek", "Zuivelfabriek", "Melkhuisje", "Pastorietuin",
)


class NamePool:
    """Unique street names drawn deterministically from stems and suffixes."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self._queues: dict[tuple[str, tuple[str, ...]], list[str]] = {}

    def _queue(self, theme: str, suffixes: tuple[str, ...]) -> list[str]:
        key = (theme, suffixes)
        if key not in self._queues:
            stems = THEMES[theme]
            combos = [s + suf for s in stems for suf in suffixes]
            order = self._rng.permutation(len(combos))
            self._queues[key] = [combos[i] for i in order]
        return self._queues[key]

    def themed(self, theme: str, suffixes: tuple[str, ...]) -> str:
        """A fresh name of the theme; falls back to other themes when it runs out."""
        for t in (theme, *sorted(THEMES)):
            queue = self._queue(t, suffixes)
            while queue:
                name = queue.pop()
                if name not in self._used:
                    self._used.add(name)
                    return name
        raise RuntimeError("street names exhausted")  # pragma: no cover

    def centre(self) -> str:
        """A fresh historic-centre name such as 'Korte Vissteeg'."""
        for _ in range(10_000):
            stem = CENTRE_STEMS[self._rng.integers(len(CENTRE_STEMS))]
            suffix = CENTRE_SUFFIXES[int(self._rng.random() < 0.3)]
            prefix = CENTRE_PREFIXES[self._rng.integers(len(CENTRE_PREFIXES))]
            name = f"{prefix}{stem}{suffix}"
            if name not in self._used:
                self._used.add(name)
                return name
        raise RuntimeError("centre names exhausted")  # pragma: no cover

    def reserve(self, name: str) -> str:
        self._used.add(name)
        return name
