/**
 * The sign-in form against a local server speaking the API: missing fields are named on their
 * field before anything is sent, a refused password is said on the form, and the server's own
 * field errors (422) land on the field they name.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';

import LoginScreen from '@/app/login';
import { i18n } from '@/i18n';
import { useSession } from '@/store/session';
import { startApi, type FakeApi } from '@/test-support/server';

describe('login', () => {
  let server: FakeApi;

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    server = await startApi({
      'POST /auth/login': ({ body }) => {
        const { username } = body as { username: string };
        if (username === 'too-long')
          return {
            status: 422,
            body: { detail: [{ loc: ['body', 'username'], msg: 'at most 64 characters', type: 'string_too_long' }] },
          };
        return { status: 401, body: { detail: 'invalid credentials' } };
      },
    });
    useSession.setState({ server: server.url, status: 'anonymous', notice: null });
  });

  afterEach(async () => {
    await server.close();
  });

  it('names each missing field and sends nothing', async () => {
    render(<LoginScreen />);
    fireEvent.press(screen.getByTestId('login-submit'));
    expect(await screen.findByTestId('login-username-error')).toHaveTextContent(/./);
    expect(screen.getByTestId('login-password-error')).toHaveTextContent(/./);
    expect(server.calls).toEqual([]);
  });

  it('says a refused password on the form, not on a field', async () => {
    render(<LoginScreen />);
    fireEvent.changeText(screen.getByTestId('login-username'), 'trader');
    fireEvent.changeText(screen.getByTestId('login-password'), 'not-the-password');
    fireEvent.press(screen.getByTestId('login-submit'));
    expect(await screen.findByTestId('login-error')).toHaveTextContent('Wrong username or password.');
    expect(screen.queryByTestId('login-username-error')).toBeNull();
  });

  it("puts the server's field error on that field", async () => {
    render(<LoginScreen />);
    fireEvent.changeText(screen.getByTestId('login-username'), 'too-long');
    fireEvent.changeText(screen.getByTestId('login-password'), 'whatever');
    fireEvent.press(screen.getByTestId('login-submit'));
    await waitFor(() => expect(screen.getByTestId('login-username-error')).toHaveTextContent(/64/));
  });
});
