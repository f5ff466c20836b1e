// Staff sign-in for the staff pages (agent desk, content studio, insights): the login form, the
// bearer token kept in sessionStorage, signing out, and going back to sign-in when the server
// answers 401. Loaded as a classic script before the page's own script; exposes
// window.AttuneStaffSession.
//
// Every page's login form has the fields #login-name, #login-password and #login-error. The token
// lives in sessionStorage under the page's key, so pages sharing a key share a sign-in (the studio
// and insights do).
//
// A page may also offer "Change password" (POST /api/agent/password): a <details id="password">
// shown only while signed in (list it in signedInViews), holding a form #password-form with the
// fields #password-current, #password-new, #password-repeat and the message #password-message.
'use strict';
(function (exports) {
  const $ = (id) => document.getElementById(id);

  /**
   * Wires a page's sign-in and returns its session.
   * @param {object} options
   * @param {string} options.storageKey sessionStorage key of the bearer token.
   * @param {string} options.form id of the login form.
   * @param {string} [options.signInView] id of what is shown while signed out (default: the form).
   * @param {string[]} options.signedInViews ids of what is shown only while signed in.
   * @param {string} [options.logoutButton] id of the sign-out button, if the page has one.
   * @param {string} [options.who] id of the element naming the signed-in account.
   * @param {(agent: object) => string} [options.describe] the text of `who` for an account.
   * @param {(agent: object) => string | undefined} [options.refuse] why this page refuses an account, if it does.
   * @param {(agent: object) => unknown} options.onSignedIn called after a sign-in the page accepts.
   * @param {() => void} [options.onSignedOut] called when the session ends, before the form shows.
   * @param {string} [options.sessionEndedMessage] shown when the server answers 401 (default: nothing).
   * @param {string} [options.passwordForm] id of the change-password form, if the page has one.
   */
  function create(options) {
    let token = sessionStorage.getItem(options.storageKey);
    const signInView = options.signInView || options.form;

    function showSignIn(message) {
      for (const id of options.signedInViews) $(id).hidden = true;
      $(signInView).hidden = false;
      if (options.who) $(options.who).textContent = '';
      $('login-error').textContent = message || '';
      $('login-name').focus();
    }

    /** Shows the signed-in views; names the account if one is given. */
    function showSignedIn(agent) {
      $(signInView).hidden = true;
      for (const id of options.signedInViews) $(id).hidden = false;
      if (agent && options.who) $(options.who).textContent = options.describe(agent);
    }

    function signedOut(message) {
      token = null;
      sessionStorage.removeItem(options.storageKey);
      if (options.passwordForm) resetPasswordForm();
      if (options.onSignedOut) options.onSignedOut();
      showSignIn(message);
    }

    /** fetch() with the bearer token; a 401 ends the session and shows the sign-in form. */
    async function authorizedFetch(route, init = {}) {
      const headers = { ...(init.headers || {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
      const response = await window.fetch(route, { ...init, headers });
      if (response.status === 401) signedOut(options.sessionEndedMessage);
      return response;
    }

    async function signIn(event) {
      event.preventDefault();
      $('login-error').textContent = '';
      let response;
      let json;
      try {
        response = await window.fetch('/api/agent/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: $('login-name').value, password: $('login-password').value }),
        });
        json = await response.json().catch(() => ({}));
      } catch {
        $('login-error').textContent = 'Could not reach the server.';
        return;
      }
      if (response.status !== 200) {
        $('login-error').textContent = json.message || 'Sign-in failed.';
        return;
      }
      const refusal = options.refuse && options.refuse(json.agent);
      if (refusal) {
        $('login-error').textContent = refusal;
        return;
      }
      token = json.token;
      sessionStorage.setItem(options.storageKey, token);
      $('login-password').value = '';
      await options.onSignedIn(json.agent);
    }

    /** Ends the session on the server, then here; plain fetch, so a 401 does not sign out twice. */
    async function signOut() {
      try {
        await window.fetch('/api/agent/logout', { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
      } catch {
        // signed out locally either way
      }
      signedOut('');
    }

    /** Empties the change-password fields and message, and folds the panel away. */
    function resetPasswordForm() {
      $(options.passwordForm).reset();
      $('password-message').textContent = '';
      const panel = $(options.passwordForm).closest('details');
      if (panel) panel.open = false;
    }

    /** Changes the signed-in person's password; the server's message says what a refusal was about. */
    async function changePassword(event) {
      event.preventDefault();
      const message = $('password-message');
      message.textContent = '';
      message.classList.remove('ok');
      const currentPassword = $('password-current').value;
      const newPassword = $('password-new').value;
      if (newPassword !== $('password-repeat').value) {
        message.textContent = 'The new password and its repetition differ.';
        return;
      }
      let response;
      let json;
      try {
        response = await authorizedFetch('/api/agent/password', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ currentPassword, newPassword }),
        });
        json = await response.json().catch(() => ({}));
      } catch {
        message.textContent = 'Could not reach the server.';
        return;
      }
      if (response.status === 401) return; // signed out: the sign-in form shows why
      if (response.status !== 200) {
        message.textContent = json.message || 'The password was not changed.';
        return;
      }
      $(options.passwordForm).reset();
      const others = json.otherSessionsEnded;
      message.classList.add('ok');
      message.textContent = `Password changed.${others > 0 ? ` Signed out ${others} other session${others === 1 ? '' : 's'}.` : ''}`;
    }

    $(options.form).addEventListener('submit', (event) => void signIn(event));
    if (options.passwordForm) $(options.passwordForm).addEventListener('submit', (event) => void changePassword(event));
    if (options.logoutButton) $(options.logoutButton).addEventListener('click', () => void signOut());

    return {
      /** The bearer token, or null when signed out. */
      token: () => token,
      fetch: authorizedFetch,
      showSignIn,
      showSignedIn,
      signedOut,
    };
  }

  exports.AttuneStaffSession = Object.freeze({ create });
})(window);
