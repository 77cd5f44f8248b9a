// The few things the server cannot know about the operator's browser.
window.orchestraAdmin = {
    timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
};
