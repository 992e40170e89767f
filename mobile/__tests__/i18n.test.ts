import en from '@/i18n/en.json';
import fr from '@/i18n/fr.json';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('the catalogue', () => {
  it('has every English string in French and nothing more', () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
  });

  it('has no empty string', () => {
    const empty = [...keys(en), ...keys(fr)].filter((key) => {
      const get = (tree: unknown) => key.split('.').reduce((node: any, part) => node?.[part], tree);
      return get(en) === '' || get(fr) === '';
    });
    expect(empty).toEqual([]);
  });
});
