// Placeholder until the desktop issue: the page shows how to use the CLI meanwhile.
const note = document.querySelector('main p');
if (note) note.setAttribute('data-ready', 'true');
