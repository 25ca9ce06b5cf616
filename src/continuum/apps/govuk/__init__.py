"""GOV.UK Design System pieces for every casework app: component includes, question pages, PDFs. No models."""
