// The dashboard's texts: Norwegian bokmål (the default) and English. Keys are the same in
// both; `{name}` is filled in by t(). Region names are proper names and stay Norwegian.

export const LANGUAGES = { nb: "Norsk bokmål", en: "English" };
export const DEFAULT_LANGUAGE = "nb";

const NB = {
  pageTitle: "Styringstall – Bufetat",
  title: "Styringstall for barnevern og familievern",
  subtitle: "Bufetats tall for institusjoner, fosterhjem og familievern, fra rapporteringstjenesten.",
  skip: "Hopp til innholdet",
  language: "Språk",
  signOut: "Logg ut",
  signInHeading: "Logg inn",
  signInIntro:
    "Tallene krever innlogging med en klient som har lesetilgang til styringstall (reports.read).",
  clientId: "Klient-ID",
  clientSecret: "Hemmelighet",
  signIn: "Logg inn",
  signInWrong: "Feil klient-ID eller hemmelighet. Prøv igjen.",
  signInNoScope: "Denne klienten har ikke lesetilgang til styringstall (reports.read).",
  signInElsewhere:
    "Innlogging skjer gjennom virksomhetens egen pålogging. Gå inn via den, så kommer du tilbake hit.",
  signInFailed: "Innloggingen virket ikke: {detail}",
  sessionEnded: "Økten er utløpt. Logg inn på nytt.",
  filtersHeading: "Velg region og periode",
  region: "Region",
  year: "År",
  part: "Del av året",
  regionLocked: "Tilgangen din gjelder bare region {region}.",
  national: "Hele landet",
  wholeYear: "Hele året",
  tertial1: "1. tertial (januar–april)",
  tertial2: "2. tertial (mai–august)",
  tertial3: "3. tertial (september–desember)",
  periodTertial: "{n}. tertial {year}",
  months: [
    "Januar", "Februar", "Mars", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Desember",
  ],
  scopeHeading: "{region}, {period}",
  periodDays: "Tallene gjelder {first}–{last}.",
  freshness: "Tall per {time}.",
  noData: "Ingen registrerte hendelser i perioden ennå.",
  loading: "Henter tall …",
  loaded: "Tallene er oppdatert.",
  forbidden: "Du har ikke tilgang til disse tallene: {detail}",
  failed: "Tallene kunne ikke hentes ({status}). Prøv igjen senere.",
  institutions: "Institusjoner",
  fosterCare: "Fosterhjem",
  familyCounselling: "Familievern",
  occupancyTitle: "Kapasitetsutnyttelse",
  occupancyExplain:
    "Hvor stor del av de budsjetterte plassdøgnene som ble brukt. Målene er minst 80 % for statlige akuttplasser, minst 83 % for statlige omsorgs- og behandlingsplasser og 100 % for private plasser med kjøpsgaranti.",
  breachesTitle: "Brudd på bistandsplikten",
  breachesExplain:
    "Hvor mange ganger et barn ikke fikk et tilbud innen fristen, og hvor mange barn det gjaldt. Målet er null brudd.",
  waitingTitle: "Barn som venter på fosterhjem",
  waitingExplain:
    "Barn som ved slutten av perioden ventet på et fosterhjem etter ønsket oppstartsdato. Målet er færre enn på samme tid året før.",
  waitingDaysTitle: "Ventetid for fosterhjem",
  waitingDaysExplain:
    "Dager fra ønsket oppstart til barnet flyttet inn, eller til periodens slutt for dem som fortsatt venter. Medianen er ventetiden til barnet i midten; 90-persentilen viser de lengste ventetidene.",
  casesTitle: "Nye saker i familievernet",
  casesExplain: "Saker som kom inn i perioden, etter hva saken gjelder.",
  officeCasesTitle: "Nye saker per familievernkontor",
  officeCasesExplain: "Saker som kom inn i perioden ved hvert kontor.",
  officeWaitingTitle: "Ventetid per familievernkontor",
  officeWaitingExplain:
    "Dager fra henvendelsen kom inn til første samtale. Målet er kort ventetid, og at saker med barn kommer først.",
  showTable: "Vis tallene som tabell",
  suppressedNote:
    "«<5» betyr færre enn fem barn eller saker. Tallet er skjult av personvernhensyn, og av og til skjules et tall ved siden av, så det skjulte ikke kan regnes ut.",
  suppressedInChart: "Skjulte tall (<5) vises ikke i grafen.",
  empty: "Ingen tall for valgt region og periode.",
  allHidden: "Alle tallene her er skjult («<5») av personvernhensyn. Se tabellen.",
  chartLabel: "Diagram: {title}. {summary}. Alle tallene står i tabellen under.",
  total: "I alt",
  category: "Kategori",
  utilisation: "Utnyttelse",
  target: "Mål",
  status: "Måloppnåelse",
  usedDays: "Brukte plassdøgn",
  budgetedDays: "Budsjetterte plassdøgn",
  met: "Nådd",
  notMet: "Ikke nådd",
  unknown: "Ikke vurdert",
  atLeast: "minst {value}",
  atMost: "høyst {value}",
  zero: "null",
  falling: "færre enn året før",
  rising: "flere enn året før",
  kind: "Type",
  requests: "Anmodninger med brudd",
  children: "Barn",
  regionColumn: "Region",
  waitingChildren: "Barn som venter",
  mean: "Gjennomsnitt (dager)",
  median: "Median (dager)",
  p90: "90-persentil (dager)",
  over180: "Over 180 dager",
  childrenWaited: "Barn som ventet",
  caseType: "Sakstype",
  cases: "Nye saker",
  office: "Kontor",
  unnamedOffice: "Kontor uten navn",
  episodes: "Saker med ventetid",
  categories: {
    state_acute: "Statlige akuttplasser",
    state_care_treatment: "Statlige omsorgs- og behandlingsplasser",
    purchase_guarantee: "Private plasser med kjøpsgaranti",
  },
  kinds: { acute: "Akutt", planned: "Planlagt", foster_home: "Fosterhjem" },
  caseTypes: {
    clinical: "Klinisk arbeid",
    mediation: "Mekling",
    supervised_contact: "Tilsyn ved samvær",
    court_case: "Oppdrag fra domstolen",
  },
  footer: "Tallene kommer fra Bufetats rapporteringstjeneste. Små tall er skjult for å verne barn og familier.",
};

const EN = {
  pageTitle: "Key figures – Bufetat",
  title: "Key figures for child welfare and family counselling",
  subtitle: "Bufetat's figures for institutions, foster homes and family counselling, from the reporting service.",
  skip: "Skip to content",
  language: "Language",
  signOut: "Sign out",
  signInHeading: "Sign in",
  signInIntro: "The figures need a sign-in with a client that may read key figures (reports.read).",
  clientId: "Client ID",
  clientSecret: "Secret",
  signIn: "Sign in",
  signInWrong: "Wrong client ID or secret. Please try again.",
  signInNoScope: "This client may not read key figures (reports.read).",
  signInElsewhere:
    "Sign-in is through your organisation's own sign-in. Go through it and you will come back here.",
  signInFailed: "Sign-in did not work: {detail}",
  sessionEnded: "Your session has ended. Please sign in again.",
  filtersHeading: "Choose region and period",
  region: "Region",
  year: "Year",
  part: "Part of the year",
  regionLocked: "Your access covers region {region} only.",
  national: "Whole country",
  wholeYear: "Whole year",
  tertial1: "1st tertial (January–April)",
  tertial2: "2nd tertial (May–August)",
  tertial3: "3rd tertial (September–December)",
  periodTertial: "tertial {n} of {year}",
  months: [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
  ],
  scopeHeading: "{region}, {period}",
  periodDays: "The figures cover {first}–{last}.",
  freshness: "Figures as of {time}.",
  noData: "No events recorded for the period yet.",
  loading: "Fetching figures …",
  loaded: "The figures are up to date.",
  forbidden: "You may not see these figures: {detail}",
  failed: "The figures could not be fetched ({status}). Please try again later.",
  institutions: "Institutions",
  fosterCare: "Foster care",
  familyCounselling: "Family counselling",
  occupancyTitle: "Capacity utilisation",
  occupancyExplain:
    "The share of budgeted place-days that were used. The targets are at least 80 % for state acute places, at least 83 % for state care and treatment places and 100 % for private places with a purchase guarantee.",
  breachesTitle: "Breaches of the duty to assist",
  breachesExplain:
    "How often a child did not get an offer within the deadline, and how many children that concerned. The target is no breaches.",
  waitingTitle: "Children waiting for a foster home",
  waitingExplain:
    "Children who at the end of the period were waiting for a foster home past their desired start date. The target is fewer than at the same time a year earlier.",
  waitingDaysTitle: "Waiting time for a foster home",
  waitingDaysExplain:
    "Days from the desired start until the child moved in, or until the end of the period for those still waiting. The median is the wait of the child in the middle; the 90th percentile shows the longest waits.",
  casesTitle: "New family counselling cases",
  casesExplain: "Cases received in the period, by what the case is about.",
  officeCasesTitle: "New cases per family counselling office",
  officeCasesExplain: "Cases received in the period at each office.",
  officeWaitingTitle: "Waiting time per family counselling office",
  officeWaitingExplain:
    "Days from the request reaching the office to the first session. The aim is short waits, with cases involving children first.",
  showTable: "Show the figures as a table",
  suppressedNote:
    "“<5” means fewer than five children or cases. The figure is hidden to protect privacy, and sometimes a figure beside it is hidden too, so the hidden one cannot be worked out.",
  suppressedInChart: "Hidden figures (<5) are not drawn in the chart.",
  empty: "No figures for the chosen region and period.",
  allHidden: "Every figure here is hidden (“<5”) to protect privacy. See the table.",
  chartLabel: "Chart: {title}. {summary}. Every figure is in the table below.",
  total: "Total",
  category: "Category",
  utilisation: "Utilisation",
  target: "Target",
  status: "Target met",
  usedDays: "Place-days used",
  budgetedDays: "Budgeted place-days",
  met: "Met",
  notMet: "Not met",
  unknown: "Not assessed",
  atLeast: "at least {value}",
  atMost: "at most {value}",
  zero: "zero",
  falling: "fewer than a year earlier",
  rising: "more than a year earlier",
  kind: "Kind",
  requests: "Requests in breach",
  children: "Children",
  regionColumn: "Region",
  waitingChildren: "Children waiting",
  mean: "Mean (days)",
  median: "Median (days)",
  p90: "90th percentile (days)",
  over180: "Over 180 days",
  childrenWaited: "Children who waited",
  caseType: "Case type",
  cases: "New cases",
  office: "Office",
  unnamedOffice: "Office without a name",
  episodes: "Cases with a wait",
  categories: {
    state_acute: "State acute places",
    state_care_treatment: "State care and treatment places",
    purchase_guarantee: "Private places with a purchase guarantee",
  },
  kinds: { acute: "Acute", planned: "Planned", foster_home: "Foster home" },
  caseTypes: {
    clinical: "Clinical work",
    mediation: "Mediation",
    supervised_contact: "Supervised contact",
    court_case: "Court assignment",
  },
  footer: "The figures come from Bufetat's reporting service. Small counts are hidden to protect children and families.",
};

const STRINGS = { nb: NB, en: EN };

// Region codes and their names (the same in both languages: they are names).
export const REGIONS = { ost: "Øst", sor: "Sør", vest: "Vest", midt: "Midt-Norge", nord: "Nord" };

export function strings(language) {
  return STRINGS[language] || STRINGS[DEFAULT_LANGUAGE];
}

export function t(language, key, values = {}) {
  const text = strings(language)[key];
  if (typeof text !== "string") return key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : ""));
}

// The locale numbers and dates are written in.
export function locale(language) {
  return language === "en" ? "en-GB" : "nb-NO";
}
