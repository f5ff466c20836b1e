// Small, testable text operations on .lg files for the studio (no DOM here).
'use strict';
(function (exports) {
  /** Replaces the body of template `name` in an .lg file's text, or appends the template if missing. */
  function setTemplateBody(fileText, name, body) {
    const lines = fileText.split('\n');
    const header = lines.findIndex((line) => /^#\s*/.test(line) && line.replace(/^#\s*/, '').replace(/\(.*$/, '').trim() === name);
    const cleanBody = body.replace(/\s+$/, '').split('\n');
    if (header < 0) {
      const tail = fileText.endsWith('\n') ? '' : '\n';
      return `${fileText}${tail}\n# ${name}\n${cleanBody.join('\n')}\n`;
    }
    let end = header + 1;
    while (end < lines.length && !/^#\s/.test(lines[end]) && !/^>/.test(lines[end])) end++;
    // Keep the blank lines that separate this template from the next one.
    let bodyEnd = end;
    while (bodyEnd > header + 1 && lines[bodyEnd - 1].trim() === '') bodyEnd--;
    return [...lines.slice(0, header + 1), ...cleanBody, ...lines.slice(bodyEnd)].join('\n');
  }
  exports.setTemplateBody = setTemplateBody;
})(typeof module === 'object' && module.exports ? module.exports : (window.lgEdit = {}));
