import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen } from '@testing-library/react';
import createWrapper from '@cloudscape-design/components/test-utils/dom';
import { VinForm } from './VinForm';
import { renderWithSite } from '../test-utils';

function setup(props: Partial<Parameters<typeof VinForm>[0]> = {}, lang = 'en') {
  const onSubmit = vi.fn();
  const { container } = renderWithSite(<VinForm onSubmit={onSubmit} {...props} />, { lang });
  const w = createWrapper(container);
  const type = (v: string) => w.findInput()!.setInputValue(v);
  const error = () => w.findFormField()!.findError()?.getElement().textContent ?? null;
  const submit = () => fireEvent.submit(container.querySelector('form')!);
  return { onSubmit, type, error, submit };
}

describe('VinForm', () => {
  it('says at once which character can never be in a VIN', () => {
    const f = setup();
    f.type('WVWZZZCD3MW1O');
    expect(f.error()).toContain('Character 13 is not allowed');
  });

  it('waits with the length until the person is done', () => {
    const f = setup();
    f.type('WVWZZZCD3MW10');
    expect(f.error()).toBeNull();
    f.submit();
    expect(f.error()).toContain('exactly 17 characters');
    expect(f.onSubmit).not.toHaveBeenCalled();
  });

  it('checks the check digit once all 17 characters are there, in the reader’s language', () => {
    const f = setup({}, 'de');
    f.type('WVWZZZCD4MW100001');
    expect(f.error()).toContain('Prüfziffer');
  });

  it('submits a valid VIN in upper case', () => {
    const f = setup();
    f.type('wvwzzzcd3mw100001');
    f.submit();
    expect(f.onSubmit).toHaveBeenCalledWith('WVWZZZCD3MW100001');
  });

  it('shows the API’s error next to the field until the VIN changes', () => {
    const f = setup({ initial: 'WVWZZZCD3MW100001', serverError: 'Nope from the API' });
    expect(f.error()).toBe('Nope from the API');
    f.type('WVWZZZCD3MW10000');
    expect(f.error()).toBeNull();
    expect(screen.getByText(/16\/17/)).toBeTruthy();
  });
});
