// Tell GOV.UK Frontend's styles that its JavaScript will run (kept out of the page so
// that the Content-Security-Policy can forbid inline scripts).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
