<?php
// A SOAP server for soaptape's interop matrix: PHP's own SoapServer (ext/soap), driven only by the real WCF WSDLs
// committed under specs/, serving the seed operations at the paths SuperOffice uses. GET ?wsdl answers the WSDL
// with its soap:address pointed at this server, as WCF does.
//
// Usage: INTEROP_STATE=FILE [INTEROP_VARIANT=normal|changed|dropped] php -S 127.0.0.1:0 php_server.php
//   normal  — the reference behaviour;
//   changed — every answer holds other values (same shape);
//   dropped — answers leave out an element the recording had.
$specs = realpath(__DIR__ . '/../../specs');
$routes = [
    '/Remote/Services88/Favourite.svc' => "$specs/Services88/Favourite/Favourite.wsdl",
    '/Remote/Services86/ErpSync.svc' => "$specs/Services86/ErpSync/ErpSync.wsdl",
    '/Remote/Services86/CustomerService.svc' => "$specs/Services86/CustomerService/CustomerService.wsdl",
];
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (!isset($routes[$path])) {
    http_response_code(404);
    header('Content-Type: text/plain');
    echo "no such service\n";
    return true;
}
$wsdl = $routes[$path];
if ($_SERVER['REQUEST_METHOD'] === 'GET') {
    header('Content-Type: text/xml; charset=utf-8');
    $address = 'http://' . $_SERVER['HTTP_HOST'] . $path;
    echo preg_replace('/(<soap(12)?:address location=")[^"]*"/', '${1}' . $address . '"', file_get_contents($wsdl));
    return true;
}

/** The seed operations, with state (favourites) kept in a file: each request is a fresh PHP run. */
class SeedOperations
{
    private string $variant;
    private string $state;

    public function __construct(string $variant, string $state)
    {
        $this->variant = $variant;
        $this->state = $state;
    }

    public function ToggleFavourite($request)
    {
        $key = ($request->TableName ?? '') . '/' . ($request->RecordId ?? 0);
        $favourites = is_file($this->state) ? json_decode(file_get_contents($this->state), true) : [];
        $now = !($favourites[$key] ?? false);
        $favourites[$key] = $now;
        file_put_contents($this->state, json_encode($favourites));
        if ($this->variant === 'dropped') {
            return new stdClass();
        }
        return ['Response' => $this->variant === 'changed' ? !$now : $now];
    }

    public function ToggleErpConnectionActive($request)
    {
        $id = (int)($request->ErpConnectionId ?? 0);
        $items = ['Bjørn Ærø', 'beta.search', 'Zürich – 東京'];
        $strings = $id <= 0 ? ['No such connection'] : ($id > 100 ? array_slice($items, 0, $id - 100) : []);
        if ($this->variant === 'changed') {
            $strings = array_map(fn($s) => "changed: $s", $strings);
        }
        if ($this->variant === 'dropped') {
            return new stdClass();
        }
        return ['Response' => ['string' => $strings]];
    }

    public function UpdateFeatureToggles($request)
    {
        return new stdClass();
    }
}

$server = new SoapServer($wsdl, ['cache_wsdl' => WSDL_CACHE_NONE, 'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
                                  'encoding' => 'UTF-8']);
$server->setObject(new SeedOperations(getenv('INTEROP_VARIANT') ?: 'normal',
                                      getenv('INTEROP_STATE') ?: sys_get_temp_dir() . '/soaptape-php-state.json'));
$server->handle();
return true;
