/*
 * Starts Microsoft's Web Chat on the customer page. The server gives a Direct Line token and the
 * base URL to use it with (the built-in endpoint, or Azure Direct Line when it is configured);
 * Web Chat's own client (botframework-directlinejs) does the rest: WebSocket stream, reconnecting
 * from the last watermark after a network blip, token refresh. Web Chat's accessibility defaults
 * (keyboard navigation, screen-reader live region, focus handling) are kept as they are.
 */
(function () {
  'use strict';

  var statusLine = document.getElementById('chat-status');

  function say(message) {
    statusLine.textContent = message;
  }

  /** The user id embedded in a Direct Line token (`user` claim), so Web Chat and the token agree. */
  function userIdOf(token) {
    try {
      var payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      var claims = JSON.parse(atob(payload));
      return typeof claims.user === 'string' ? claims.user : undefined;
    } catch {
      return undefined;
    }
  }

  function fetchToken() {
    return fetch('/api/webchat/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body && body.message ? body.message : 'The chat could not start.');
        return body;
      });
    });
  }

  function start() {
    if (!window.WebChat) {
      say('The chat could not load. Please reload the page.');
      return;
    }
    fetchToken()
      .then(function (session) {
        var directLine = window.WebChat.createDirectLine({
          token: session.token,
          domain: new URL(session.domain, window.location.href).href.replace(/\/$/, ''),
          webSocket: true,
        });
        window.WebChat.renderWebChat(
          {
            directLine: directLine,
            userID: userIdOf(session.token),
            locale: navigator.language || 'en-GB',
            styleOptions: {
              hideUploadButton: true,
              botAvatarInitials: 'AB',
              accent: '#0b3d6b',
              suggestedActionLayout: 'flow',
            },
          },
          document.getElementById('webchat'),
        );
        say('');
      })
      .catch(function (error) {
        say(error.message + ' Please reload the page in a moment.');
      });
  }

  start();
})();
