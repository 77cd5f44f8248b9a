// The few things the server cannot do for the operator's browser.
window.orchestraAdmin = {
    timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    // Saves text as a file (e.g. search results as JSON) without a round trip through a URL.
    download: (fileName, mimeType, text) => {
        const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
        const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
};
