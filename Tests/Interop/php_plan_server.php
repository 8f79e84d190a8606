<?php
// A SOAP server for soaptape's WSDL interop matrix (Tests/Interop/wsdl_matrix.py): PHP's own SoapServer (ext/soap)
// answering every operation of one WSDL from a call plan (Tests/Interop/plan/wsdl_plan.py). Each answer is the plan's
// response NODE for the variant turned into PHP values — stdClass objects, arrays, scalars, SoapVar where the plan
// asks for a derived type (xsi:type) — which ext/soap serializes by the WSDL; no XML is written here. The plan's
// response header blocks go out as SoapHeader values, serialized by the binding's output header declarations.
// GET <endpoint_path>?wsdl answers the WSDL with its soap:address pointed at this server, as WCF does.
//
// Usage: INTEROP_PLAN=PLAN.json [INTEROP_VARIANT=normal|changed|dropped] [INTEROP_NOISE=1] [INTEROP_LOG=FILE]
//        php -S 127.0.0.1:0 php_plan_server.php
//   (PHP's development server prints the address it bound to.)
// INTEROP_NOISE=1 (the shadow interop check, Tests/Interop/shadow_interop.py): a server with timestamps and generated
//   ids. In every answer (body and header blocks) each xs:dateTime leaf gets the current time with microseconds, each
//   guid leaf (WCF's ser:guid) a fresh random GUID, and one string leaf gets a random suffix: the Body's first
//   xs:string leaf in document order, or, when the Body has none, the header blocks' first one (noisy_string_leaf).
//   Two calls with the same request then differ exactly there.
// INTEROP_LOG=FILE: each served operation's name is appended to FILE, one per line (not the WSDL GETs).

$planPath = getenv('INTEROP_PLAN');
$variant = getenv('INTEROP_VARIANT') ?: 'normal';
if (!$planPath || !is_file($planPath)) {
    http_response_code(500);
    header('Content-Type: text/plain');
    echo "INTEROP_PLAN names no file\n";
    return true;
}
if (!in_array($variant, ['normal', 'changed', 'dropped'], true)) {
    http_response_code(500);
    header('Content-Type: text/plain');
    echo "INTEROP_VARIANT must be normal, changed or dropped\n";
    return true;
}
$root = realpath(__DIR__ . '/../..');
$plan = new Plan($planPath, "$root/.build/interop/php/plans");
$wsdl = $plan->wsdl[0] === '/' ? $plan->wsdl : "$root/{$plan->wsdl}";

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== $plan->endpoint_path) {
    http_response_code(404);
    header('Content-Type: text/plain');
    echo "no such service: this server answers {$plan->endpoint_path}\n";
    return true;
}
if ($_SERVER['REQUEST_METHOD'] === 'GET') {
    header('Content-Type: text/xml; charset=utf-8');
    $address = 'http://' . $_SERVER['HTTP_HOST'] . $path;
    echo preg_replace('/(<soap(12)?:address location=")[^"]*"/', '${1}' . $address . '"', file_get_contents($wsdl));
    return true;
}

const XSD = 'http://www.w3.org/2001/XMLSchema';

/**
 * The plan, read a piece at a time: each request is a fresh PHP run, and decoding a 4 MB plan (ErpSync's) took
 * most of a request's time. The first request splits it into one small JSON file per operation, in a folder
 * named by the plan's content hash (made aside and renamed into place, so that concurrent servers agree).
 */
class Plan
{
    public string $wsdl;
    public string $endpoint_path;
    private string $folder;

    public function __construct(string $path, string $cache)
    {
        $this->folder = "$cache/" . sha1_file($path);
        if (!is_file("$this->folder/plan.json")) {
            $this->split($path);
        }
        $head = json_decode(file_get_contents("$this->folder/plan.json"));
        $this->wsdl = $head->wsdl;
        $this->endpoint_path = $head->endpoint_path;
    }

    private function split(string $path): void
    {
        $plan = json_decode(file_get_contents($path));
        @mkdir(dirname($this->folder), 0777, true);
        $aside = $this->folder . '.' . getmypid() . '.tmp';
        @mkdir($aside);
        $names = [];
        foreach ($plan->operations as $operation) {
            $names[] = $operation->name;
            file_put_contents("$aside/" . sha1($operation->name) . '.json', json_encode($operation));
        }
        unset($plan->operations);
        $plan->operation_names = $names;
        file_put_contents("$aside/plan.json", json_encode($plan));
        if (!@rename($aside, $this->folder)) { // another server split it first
            array_map('unlink', glob("$aside/*"));
            rmdir($aside);
        }
    }

    /** The plan's operation NAME, or null when the plan has none of that name (a header block's name). */
    public function operation(string $name)
    {
        $file = "$this->folder/" . sha1($name) . '.json';
        return is_file($file) ? json_decode(file_get_contents($file)) : null;
    }
}

/** The PHP value ext/soap serializes as NODE (a plan node: name, ns, type, xsi_type, nil, text, children). */
function php_value($node)
{
    if ($node->nil) {
        $value = null;
    } elseif (!empty($node->children)) {
        $value = new stdClass();
        $groups = [];
        foreach ($node->children as $child) {
            $groups[$child->name][] = php_value($child);
        }
        foreach ($groups as $name => $items) {
            // One item is a value, several are a list: ext/soap writes either for an element with maxOccurs > 1.
            $value->$name = count($items) === 1 ? $items[0] : $items;
        }
    } elseif ($node->text === null) {
        $value = new stdClass(); // an element of complex type without members
    } else {
        $value = leaf_value($node->text, $node->xsi_type ?? $node->type);
    }
    if (!empty($node->xsi_type) && !$node->nil) {
        // A value of a type derived from the declared one: ext/soap encodes it by that type and writes xsi:type.
        $type = $node->xsi_type;
        $encoding = $type->ns === XSD ? xsd_encoding($type->name) : (is_object($value) ? SOAP_ENC_OBJECT : XSD_STRING);
        return new SoapVar($value, $encoding, $type->name, $type->ns);
    }
    return $value;
}

/** A leaf's text as the PHP value ext/soap's encoder for TYPE expects (it formats numbers and dates itself). */
function leaf_value(string $text, $type)
{
    if ($type !== null && $type->ns === XSD) {
        switch ($type->name) {
            case 'boolean':
                return $text === 'true' || $text === '1';
            case 'base64Binary':
                return base64_decode($text, true);
            case 'hexBinary':
                return hex2bin($text);
        }
    }
    return $text; // ext/soap converts strings by the schema type: ints, decimals, dates as written
}

function xsd_encoding(string $name): int
{
    $constant = 'XSD_' . strtoupper($name);
    return defined($constant) ? constant($constant) : XSD_STRING;
}

/** Answers every operation of the plan by name; header blocks (ApplicationToken, Credentials, …) are accepted. */
class PlanOperations
{
    private Plan $plan;
    private SoapServer $server;
    private string $variant;

    public function __construct(Plan $plan, string $variant, SoapServer $server)
    {
        $this->plan = $plan;
        $this->variant = $variant;
        $this->server = $server;
    }

    public function __call($name, $arguments)
    {
        $operation = $this->plan->operation($name);
        if ($operation === null) {
            return null; // a request header block: SoapServer calls a method named after each
        }
        $log = getenv('INTEROP_LOG');
        if ($log) {
            file_put_contents($log, "$name\n", FILE_APPEND | LOCK_EX);
        }
        $headers = $operation->response_headers ?? [];
        $response = $operation->response->{$this->variant};
        if (getenv('INTEROP_NOISE') === '1') {
            [$response, $headers] = noisy_answer($response, $headers);
        }
        foreach ($headers as $block) {
            $this->server->addSoapHeader(new SoapHeader($block->ns, $block->name, php_value($block)));
        }
        return php_value($response);
    }
}

/** INTEROP_NOISE: RESPONSE and the header blocks HEADERS with their dateTime, guid and one string leaf made fresh. */
function noisy_answer($response, array $headers): array
{
    $response = noisy_copy($response);
    $headers = array_map('noisy_copy', $headers);
    $string = noisy_string_leaf($response);
    foreach ($headers as $block) {
        $string = $string ?? noisy_string_leaf($block);
    }
    if ($string !== null) {
        $string->text .= '-' . bin2hex(random_bytes(6));
    }
    return [$response, $headers];
}

/** A deep copy of NODE with every dateTime leaf set to now (microseconds) and every guid leaf to a random GUID. */
function noisy_copy($node)
{
    $copy = clone $node;
    $type = $node->xsi_type ?? $node->type;
    if (!$node->nil && $node->text !== null && empty($node->children) && $type !== null) {
        if ($type->ns === XSD && $type->name === 'dateTime') {
            $copy->text = DateTime::createFromFormat('U.u', sprintf('%.6F', microtime(true)))
                ->format('Y-m-d\TH:i:s.u\Z');
        } elseif ($type->name === 'guid') {
            $bytes = random_bytes(16);
            $bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x40);
            $bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);
            $copy->text = vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($bytes), 4));
        }
    }
    $copy->children = array_map('noisy_copy', $node->children ?? []);
    return $copy;
}

/** The first xs:string leaf of NODE in document order (a node of the copy, changed in place), or null. */
function noisy_string_leaf($node)
{
    $type = $node->xsi_type ?? $node->type;
    if (!$node->nil && $node->text !== null && empty($node->children) && $type !== null && $type->ns === XSD
        && $type->name === 'string') {
        return $node;
    }
    foreach ($node->children ?? [] as $child) {
        $found = noisy_string_leaf($child);
        if ($found !== null) {
            return $found;
        }
    }
    return null;
}

$server = new SoapServer($wsdl, ['cache_wsdl' => WSDL_CACHE_MEMORY, 'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
                                  'encoding' => 'UTF-8']);
$server->setObject(new PlanOperations($plan, $variant, $server));
$server->handle();
return true;
