/**
 * Languages a consumer may ask for and an organization may offer, as ISO 639 codes.
 * The list follows the languages MNsure's assisters most often serve; extend it here
 * (one place) when the program adds one.
 */
export const LANGUAGES = {
  en: 'English',
  es: 'Spanish',
  so: 'Somali',
  hmn: 'Hmong',
  vi: 'Vietnamese',
  ru: 'Russian',
  om: 'Oromo',
  kar: 'Karen',
  am: 'Amharic',
  ar: 'Arabic',
  lo: 'Lao',
  km: 'Khmer',
  zh: 'Chinese',
  fr: 'French',
  ase: 'American Sign Language',
} as const;

export type LanguageCode = keyof typeof LANGUAGES;
export const LANGUAGE_CODES = Object.keys(LANGUAGES) as [LanguageCode, ...LanguageCode[]];

export function languageName(code: LanguageCode): string {
  return LANGUAGES[code];
}
