/** The European Union's 27 member states (ISO 3166-1 alpha-2). */
const EU = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
];

/**
 * Seed 000's named locations. `US_ONLY` and `EU_ONLY` come from the seed; the others are common
 * needs. Deployments replace or extend them through EngineOptions.locationSets.
 */
export const DEFAULT_LOCATION_SETS: Readonly<Record<string, readonly string[]>> = {
  US_ONLY: ['US'],
  EU_ONLY: EU,
  EEA_ONLY: [...EU, 'IS', 'LI', 'NO'],
  UK_ONLY: ['GB'],
};
